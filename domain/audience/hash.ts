import { createHash } from 'node:crypto';
import { normalizeEmail } from '../identity';

/** The identity ad platforms match on: SHA-256 (hex) of the trimmed, lowercased email. */
export function hashedEmail(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('hex');
}
