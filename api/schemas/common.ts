import { z } from '../zod';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

/** Opaque list cursor: an offset the client hands back. */
export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const n = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function page<T>(items: T[], offset: number, limit: number): { items: T[]; nextCursor: string | null } {
  const more = items.length > limit;
  return {
    items: items.slice(0, limit),
    nextCursor: more ? Buffer.from(String(offset + limit)).toString('base64url') : null,
  };
}

/** An e-mail address: zod's own e-mail pattern, which the document carries as it is (the `email` format of other validators differs from it both ways). */
export const Email = z.string().regex(z.regexes.email, 'Invalid email address').max(320);

/** Keys used in paths and as workflow ids: no spaces, no slashes, bounded. */
export const Key = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be 1-128 letters, digits or . _ : @ -');
