import { IDENTIFIER_KINDS, IdentifierKind } from './identity';

/** Fields a survivor keeps and fills from the merged person when it has none. */
export const MERGEABLE_FIELDS = ['email', 'firstName', 'lastName', 'jobTitle', 'department', 'seniority', 'accountKey'] as const;

/**
 * Which person survives a merge: the one holding the claim's most trusted
 * identifier (crmId, then leadId, userId, email, anonymousId).
 */
export function chooseSurvivor(boundByKind: Partial<Record<IdentifierKind, string>>): string | undefined {
  for (const kind of IDENTIFIER_KINDS) if (boundByKind[kind]) return boundByKind[kind];
  return undefined;
}

/** A person is one CRM contact: two different crmIds can never become one person. */
export function crmConflict(crmIds: readonly string[]): boolean {
  return new Set(crmIds).size > 1;
}

/** The survivor's fields win; the merged person's fill the gaps. */
export function mergeFields<T extends Record<string, unknown>>(survivor: T, loser: T): Partial<T> {
  const filled: Partial<T> = {};
  for (const f of MERGEABLE_FIELDS) {
    if ((survivor[f] === undefined || survivor[f] === null || survivor[f] === '') && loser[f] !== undefined && loser[f] !== null) {
      (filled as Record<string, unknown>)[f] = loser[f];
    }
  }
  return filled;
}
