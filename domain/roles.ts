export const ROLES = ['admin', 'marketer', 'sales', 'operator', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that read profiles with personal data masked. */
const MASKED_ROLES: ReadonlySet<Role> = new Set(['operator']);

export function masksPersonalData(role: Role): boolean {
  return MASKED_ROLES.has(role);
}

/**
 * Roles that decide what sales see: who owns an account and which account a
 * person belongs to once linked. Sources (ingest) feed data: they may link a
 * person who has no account yet, never move one or hand an account over.
 */
export function decidesSalesVisibility(role: Role): boolean {
  return role !== 'ingest';
}

/** Sales keys see only accounts whose ownerId is their own. */
export function restrictedToOwnAccounts(role: Role): boolean {
  return role === 'sales';
}
