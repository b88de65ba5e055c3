import { createHash } from 'node:crypto';
import type { CrmPerson } from '../crm/records';

/** What a transfer may add to each lead beyond who they are and their status. */
export const INCLUDE_FIELDS = ['interests', 'tags', 'score'] as const;
export type IncludeField = (typeof INCLUDE_FIELDS)[number];

type StoredLead = {
  score?: { total?: number; status?: string } | null;
  summary?: { interests?: Record<string, number> } | null;
  attributes?: unknown;
};

/**
 * The state of a lead as a transfer sends it: its status always, and the
 * included parts. Interests are compared as a set (their order follows
 * counts that move with every visit) and tags as sent.
 */
export function leadState(person: StoredLead, include: readonly IncludeField[]): Record<string, unknown> {
  const state: Record<string, unknown> = { status: person.score?.status ?? null };
  if (include.includes('score')) state.score = person.score?.total ?? null;
  if (include.includes('interests')) state.interests = Object.keys(person.summary?.interests ?? {}).sort();
  if (include.includes('tags')) {
    const tags = (person.attributes as { tags?: unknown } | undefined)?.tags;
    state.tags = Array.isArray(tags) ? tags.map(String) : [];
  }
  return state;
}

/** A short digest of a lead's state: a lead whose digest matches the last one transferred has nothing new for sales. */
export function leadFingerprint(person: StoredLead, include: readonly IncludeField[]): string {
  return createHash('sha256').update(JSON.stringify(leadState(person, include))).digest('base64url').slice(0, 22);
}

/** The CRM record a transfer sends: the parts it does not include are left out (status always goes). */
export function includedOnly(record: CrmPerson, include: readonly IncludeField[]): CrmPerson {
  const out = { ...record };
  if (!include.includes('score')) {
    delete out.score;
    delete out.summary;
  }
  if (!include.includes('interests')) delete out.interests;
  if (!include.includes('tags')) delete out.tags;
  return out;
}
