import type { AccountDefinition, PersonDefinition } from './definition';
import { AccountFacts, matchAccount, matchPerson, PersonFacts } from './evaluate';

/** `revision`: the segments revision it was saved at (saving lists its members at once, see `unlisted`). */
export type SegmentRule = { id: string; revision?: number } & ({ level: 'person'; definition: PersonDefinition } | { level: 'account'; definition: AccountDefinition });

export interface MembershipChange {
  segmentId: string;
  memberId: string;
  change: 'entered' | 'exited';
}

/** The id of one entry or exit found by one batch (its record in segment_changes): a retried batch finds the same ids. */
export const segmentChangeId = (c: MembershipChange, batchId: string) => `${c.segmentId}:${c.memberId}:${batchId}`;

export interface Member<F> {
  id: string;
  facts: F;
  /** Segments it was in at the last evaluation. */
  current: readonly string[];
  /** The segments revision of that evaluation. */
  judgedAt?: number;
}

/** A member listed when its segment was saved who does not match when first judged: its listing goes, with no exit (it never entered). */
export interface Unlisted {
  segmentId: string;
  memberId: string;
}

export interface Memberships {
  people: Map<string, string[]>;
  account?: string[];
  changes: MembershipChange[];
  unlisted: Unlisted[];
  /** When a verdict may next change with time alone (ms). */
  nextChangeAt?: number;
}

/**
 * Evaluates every saved segment for the people of one entity (and its account)
 * and compares with what they were in: the entries and exits of this moment.
 * Memberships of segments that no longer exist are dropped without an exit.
 * A segment saved after the member was last judged lists its members at the
 * save, from a snapshot that may be older than the member's facts: a member it
 * does not match now is unlisted.
 */
export function evaluateMemberships(rules: readonly SegmentRule[], people: readonly Member<PersonFacts>[], account: Member<AccountFacts> | undefined, now: number): Memberships {
  const changes: MembershipChange[] = [];
  const unlisted: Unlisted[] = [];
  let next: number | undefined;
  const existing = new Set(rules.map((r) => r.id));
  const evaluateFor = (member: Member<unknown>, matches: (rule: SegmentRule) => { match: boolean; nextChangeAt?: number } | undefined): string[] => {
    const before = new Set(member.current.filter((id) => existing.has(id)));
    const inNow: string[] = [];
    for (const rule of rules) {
      const v = matches(rule);
      if (!v) continue;
      if (v.nextChangeAt !== undefined) next = next === undefined ? v.nextChangeAt : Math.min(next, v.nextChangeAt);
      if (v.match) inNow.push(rule.id);
      else if (!before.has(rule.id) && (rule.revision ?? 0) > (member.judgedAt ?? 0)) unlisted.push({ segmentId: rule.id, memberId: member.id });
    }
    for (const id of inNow) if (!before.has(id)) changes.push({ segmentId: id, memberId: member.id, change: 'entered' });
    for (const id of before) if (!inNow.includes(id)) changes.push({ segmentId: id, memberId: member.id, change: 'exited' });
    return inNow;
  };
  const result: Memberships = { people: new Map(), changes, unlisted };
  for (const p of people) result.people.set(p.id, evaluateFor(p, (r) => (r.level === 'person' ? matchPerson(r.definition, p.facts, now) : undefined)));
  if (account) result.account = evaluateFor(account, (r) => (r.level === 'account' ? matchAccount(r.definition, account.facts, now) : undefined));
  result.nextChangeAt = next;
  return result;
}
