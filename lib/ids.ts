import { randomBytes } from 'node:crypto';

/** Short, URL-safe, unguessable ids with a readable prefix (`p_…` for people). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
