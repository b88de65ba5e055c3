import { evaluate } from '../condition';
import { eventIs } from '../events';
import { parseDuration } from '../duration';
import type { ScoredEvent } from '../scoring/evaluate';
import { AccountDefinition, isBuyingGroup, isPeople, isPerformed, Performed, PersonDefinition } from './definition';

/** An event with its time parsed ahead, as a preview's snapshot holds it (parsing it per evaluation is most of a preview's time). */
export type TimedEvent = ScoredEvent & { occurredMs?: number };

/** What a person segment sees of one person: its fields (with score and status), its account, its recent events. */
export interface PersonFacts {
  person: Record<string, unknown>;
  account?: Record<string, unknown>;
  events: readonly TimedEvent[];
}

/** What an account segment sees of one of the account's buying groups. */
export interface BuyingGroupFacts {
  solutionInterest: string;
  complete: boolean;
  missingRoles: readonly string[];
}

export interface AccountFacts {
  account: Record<string, unknown>;
  people: readonly PersonFacts[];
  buyingGroups?: readonly BuyingGroupFacts[];
}

export interface Verdict {
  match: boolean;
  /**
   * The earliest moment (ms) the verdict may change with time alone: a counted
   * event leaving its window or a future-dated one entering it. Only parts that
   * decided the verdict count, so this is when to look again, not a promise.
   */
  nextChangeAt?: number;
}

const sooner = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/** Parsed once per window: a preview runs `performed` for every person. */
const windows = new Map<string, number>();

export function windowOf(within: string): number {
  let ms = windows.get(within);
  if (ms === undefined) windows.set(within, (ms = parseDuration(within)!));
  return ms;
}

export const timeOf = (e: TimedEvent) => e.occurredMs ?? Date.parse(e.occurredAt);

/** An event counts while occurredAt is in (now - within, now], as for scoring rules; `where` is asked only of events in time. */
function performed(d: Performed, facts: PersonFacts, now: number): Verdict {
  const within = windowOf(d.within);
  let count = 0;
  let next: number | undefined;
  for (const e of facts.events) {
    if (!eventIs(e, d.performed)) continue;
    const t = timeOf(e);
    if (t <= now - within) continue;
    if (d.where && !evaluate(d.where, { event: e as unknown as Record<string, unknown>, person: facts.person, account: facts.account })) continue;
    if (t > now) next = sooner(next, t);
    else {
      count++;
      next = sooner(next, t + within);
    }
  }
  return { match: count >= (d.minCount ?? 1), nextChangeAt: next };
}

/** all/any stop at the first deciding part; the parts read decide when to look again. */
function combine<D>(parts: readonly D[], one: (d: D) => Verdict, stopOn: boolean): Verdict {
  let next: number | undefined;
  for (const part of parts) {
    const v = one(part);
    next = sooner(next, v.nextChangeAt);
    if (v.match === stopOn) return { match: stopOn, nextChangeAt: next };
  }
  return { match: !stopOn, nextChangeAt: next };
}

export function matchPerson(d: PersonDefinition, facts: PersonFacts, now: number): Verdict {
  if ('all' in d) return combine(d.all, (x) => matchPerson(x, facts, now), false);
  if ('any' in d) return combine(d.any, (x) => matchPerson(x, facts, now), true);
  if ('not' in d) {
    const v = matchPerson(d.not, facts, now);
    return { match: !v.match, nextChangeAt: v.nextChangeAt };
  }
  if (isPerformed(d)) return performed(d, facts, now);
  return { match: evaluate(d, { person: facts.person, account: facts.account }) };
}

export function matchAccount(d: AccountDefinition, facts: AccountFacts, now: number): Verdict {
  if ('all' in d) return combine(d.all, (x) => matchAccount(x, facts, now), false);
  if ('any' in d) return combine(d.any, (x) => matchAccount(x, facts, now), true);
  if ('not' in d) {
    const v = matchAccount(d.not, facts, now);
    return { match: !v.match, nextChangeAt: v.nextChangeAt };
  }
  if (isBuyingGroup(d)) {
    const want = d.buyingGroup;
    const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
    const match = (facts.buyingGroups ?? []).some(
      (g) => same(g.solutionInterest, want.solutionInterest) && (want.complete === undefined || g.complete === want.complete) && (want.missingRole === undefined || g.missingRoles.some((r) => same(r, want.missingRole!))),
    );
    return { match };
  }
  if (isPeople(d)) {
    let count = 0;
    let next: number | undefined;
    for (const p of facts.people) {
      const v = matchPerson(d.people, p, now);
      if (v.match) count++;
      next = sooner(next, v.nextChangeAt);
    }
    return { match: count >= (d.minCount ?? 1), nextChangeAt: next };
  }
  return { match: evaluate(d, { account: facts.account }) };
}
