import type { ScoredEvent } from './scoring/evaluate';
import type { PersonFacts } from './segments/evaluate';

/*
 * How stored people and accounts appear to the Condition language: their fields
 * under the names conditions use, without the engine's own bookkeeping.
 */

/** Condition context of a person: its fields under the names the Condition language uses. */
export function personContext(p: Record<string, any> & { _id: string }): Record<string, unknown> {
  const { _id, recentEvents: _r, score: _s, summary: _m, activity: _a, segments: _g, segmentsRevision: _v, lastBatchId: _b, ...rest } = p;
  return { ...rest, personId: _id };
}

export function accountContext(a: Record<string, any> | null): Record<string, unknown> | undefined {
  if (!a) return undefined;
  const { _id, score: _s, engagement: _e, recentlyActiveContacts: _r, topInterests: _t, activity: _a, segments: _g, segmentsRevision: _v, lastBatchId: _b, ...rest } = a;
  return { ...rest, key: _id };
}

/** What segments see of a person: its fields with its current score and status, its account, its recent events. */
export function personFacts(p: Record<string, any> & { _id: string }, account: Record<string, any> | null | undefined, events: readonly ScoredEvent[], score: { total: number; status: string } | undefined): PersonFacts {
  return { person: { ...personContext(p), ...(score ? { score: score.total, status: score.status } : {}) }, account: accountContext(account ?? null), events };
}
