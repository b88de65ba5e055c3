/** Identifier kinds of One ID, in order of trust when they disagree (userId: a source's own user id, as the tracking API's `userId`). */
export const IDENTIFIER_KINDS = ['crmId', 'leadId', 'userId', 'email', 'anonymousId'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];
export type Identifiers = Partial<Record<IdentifierKind, string>>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Storage key of one identifier: unique per person by construction. */
export function identityKey(kind: IdentifierKind, value: string): string {
  return `${kind}:${kind === 'email' ? normalizeEmail(value) : value}`;
}

export function identityKeys(ids: Identifiers): string[] {
  return IDENTIFIER_KINDS.filter((k) => ids[k]).map((k) => identityKey(k, ids[k]!));
}

const FREE_MAIL = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com',
  'icloud.com', 'me.com', 'aol.com', 'gmx.de', 'gmx.net', 'web.de', 'proton.me', 'protonmail.com',
  'qq.com', '163.com', '126.com', 'sina.com', 'yandex.ru', 'mail.ru', 'hey.com', 'zoho.com',
]);

/** The company domain of an email, or undefined for free-mail addresses. */
export function companyDomain(email: string | undefined): string | undefined {
  if (!email) return undefined;
  const domain = normalizeEmail(email).split('@')[1];
  if (!domain || FREE_MAIL.has(domain)) return undefined;
  return domain;
}
