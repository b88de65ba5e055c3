/** JSON without null fields: the database stores an undefined field as null, or not at all. */
const stored = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (v === null ? undefined : v));

/**
 * Whether a value computed now equals what was read back from the database, so
 * an unchanged document is not written again (a write is the expensive part).
 */
export function sameAsStored(read: unknown, computed: unknown): boolean {
  return stored(read) === stored(computed);
}
