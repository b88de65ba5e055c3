import { AccountEvent, EventType } from './events';

/** Increments one batch of events makes to one person's or account's activity. */
export interface ActivityDelta {
  total: number;
  byType: Partial<Record<EventType, number>>;
  lastActivityAt: string;
}

function addTo(delta: ActivityDelta | undefined, e: AccountEvent): ActivityDelta {
  const d = delta ?? { total: 0, byType: {}, lastActivityAt: e.occurredAt };
  d.total += 1;
  d.byType[e.type] = (d.byType[e.type] ?? 0) + 1;
  if (e.occurredAt > d.lastActivityAt) d.lastActivityAt = e.occurredAt;
  return d;
}

/** Sums a batch per person and for the whole batch (the account's share). */
export function activityDeltas(events: readonly AccountEvent[]): { total?: ActivityDelta; perPerson: Map<string, ActivityDelta> } {
  const perPerson = new Map<string, ActivityDelta>();
  let total: ActivityDelta | undefined;
  for (const e of events) {
    perPerson.set(e.personId, addTo(perPerson.get(e.personId), e));
    total = addTo(total, e);
  }
  return { total, perPerson };
}

/**
 * The counter key of an event type: a custom name may hold what a document
 * key may not (a '.', a leading '$'), so those show as their full-width forms.
 */
export function counterKey(type: string): string {
  return type.replace(/\./g, '\uFF0E').replace(/^\$/, '\uFF04');
}

/** `$inc` paths that add these counts to a document's activity counters. */
export function activityIncrements(counts: { total: number; byType: Partial<Record<string, number>> }): Record<string, number> {
  const inc: Record<string, number> = { 'activity.total': counts.total };
  for (const [type, n] of Object.entries(counts.byType)) inc[`activity.byType.${counterKey(type)}`] = n ?? 0;
  return inc;
}
