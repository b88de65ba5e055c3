import { ConditionContext, describe, evaluate } from '../condition';
import { describeDuration, parseDuration } from '../duration';
import { eventIs, type BuiltInEventType, type EventType } from '../events';
import type { ScoringModel } from './model';

/** An interaction as scoring sees it. */
export interface ScoredEvent {
  eventId: string;
  type: EventType;
  /** The built-in type a custom name was mapped to. */
  means?: BuiltInEventType;
  occurredAt: string;
  properties?: Record<string, unknown>;
}

export interface BreakdownItem {
  ruleId: string;
  kind: 'fit' | 'behavior';
  points: number;
  reason: string;
  /** The events that earned a behaviour rule its points. */
  eventIds?: string[];
}

export interface PersonScore {
  total: number;
  fit: number;
  behavior: number;
  breakdown: BreakdownItem[];
  /** When the score next changes with time alone (a behaviour leaving its window). */
  nextChangeAt?: string;
}

export function fitPoints(model: ScoringModel, ctx: ConditionContext): { points: number; items: BreakdownItem[] } {
  const items = model.fit
    .filter((r) => evaluate(r.when, ctx))
    .map((r) => ({ ruleId: r.id, kind: 'fit' as const, points: r.points, reason: describe(r.when) }));
  return { points: items.reduce((s, i) => s + i.points, 0), items };
}

/**
 * Scores one person at `now`: fit rules on person and account, behaviour rules
 * counted over their windows (an event counts while occurredAt is in
 * (now - within, now]). Events may come in any order.
 */
export function scorePerson(model: ScoringModel, input: { person: Record<string, unknown>; account?: Record<string, unknown>; events: readonly ScoredEvent[] }, now: number): PersonScore {
  const fit = fitPoints(model, { person: input.person, account: input.account });
  const items: BreakdownItem[] = [...fit.items];
  let nextChange = Infinity;
  for (const rule of model.behavior) {
    const within = parseDuration(rule.within)!;
    const matching = input.events
      .filter((e) => eventIs(e, rule.event))
      .map((e) => ({ e, t: Date.parse(e.occurredAt) }))
      .filter(({ e, t }) => t <= now && t > now - within && (!rule.where || evaluate(rule.where, { event: e as unknown as Record<string, unknown>, person: input.person, account: input.account })))
      .sort((a, b) => a.t - b.t);
    if (matching.length < rule.minCount) continue;
    // The rule stops holding when the event that keeps the count at minCount leaves the window.
    nextChange = Math.min(nextChange, matching[matching.length - rule.minCount].t + within);
    const filter = rule.where ? ` with ${describe(rule.where)}` : '';
    items.push({
      ruleId: rule.id,
      kind: 'behavior',
      points: rule.points,
      reason: `${matching.length}× ${rule.event}${filter} within ${describeDuration(within)}`,
      eventIds: matching.map(({ e }) => e.eventId),
    });
  }
  const behavior = items.filter((i) => i.kind === 'behavior').reduce((s, i) => s + i.points, 0);
  return {
    total: fit.points + behavior,
    fit: fit.points,
    behavior,
    breakdown: items,
    nextChangeAt: Number.isFinite(nextChange) ? new Date(nextChange).toISOString() : undefined,
  };
}
