import type { ScoredEvent } from './evaluate';

/** Most recent interactions kept per person for scoring. */
export const MAX_RECENT_EVENTS = 500;

/**
 * Adds a batch to a person's recent events: each id once, nothing older than
 * the retention, at most MAX_RECENT_EVENTS (the newest), oldest first.
 */
export function mergeRecentEvents(existing: readonly ScoredEvent[], incoming: readonly ScoredEvent[], now: number, retentionMs: number): ScoredEvent[] {
  const byId = new Map<string, ScoredEvent>();
  for (const e of [...existing, ...incoming]) if (!byId.has(e.eventId)) byId.set(e.eventId, e);
  return [...byId.values()]
    .filter((e) => Date.parse(e.occurredAt) > now - retentionMs)
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId))
    .slice(-MAX_RECENT_EVENTS);
}
