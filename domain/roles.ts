export const ROLES = ['admin', 'marketer', 'sales', 'operator', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that read profiles with personal data masked. */
const MASKED_ROLES: ReadonlySet<Role> = new Set(['operator']);

export function masksPersonalData(role: Role): boolean {
  return MASKED_ROLES.has(role);
}

/** Sales keys see only accounts whose ownerId is their own. */
export function restrictedToOwnAccounts(role: Role): boolean {
  return role === 'sales';
}

export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.slice(0, 1)}***@${domain ?? ''}`;
}

export function maskName(name: string): string {
  return `${name.slice(0, 1)}***`;
}
