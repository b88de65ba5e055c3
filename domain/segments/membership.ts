import type { AccountDefinition, PersonDefinition } from './definition';
import { AccountFacts, matchAccount, matchPerson, PersonFacts } from './evaluate';

export type SegmentRule = { id: string } & ({ level: 'person'; definition: PersonDefinition } | { level: 'account'; definition: AccountDefinition });

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
}

export interface Memberships {
  people: Map<string, string[]>;
  account?: string[];
  changes: MembershipChange[];
  /** When a verdict may next change with time alone (ms). */
  nextChangeAt?: number;
}

/**
 * Evaluates every saved segment for the people of one entity (and its account)
 * and compares with what they were in: the entries and exits of this moment.
 * Memberships of segments that no longer exist are dropped without an exit.
 */
export function evaluateMemberships(rules: readonly SegmentRule[], people: readonly Member<PersonFacts>[], account: Member<AccountFacts> | undefined, now: number): Memberships {
  const changes: MembershipChange[] = [];
  let next: number | undefined;
  const existing = new Set(rules.map((r) => r.id));
  const evaluateFor = (member: Member<unknown>, matches: (rule: SegmentRule) => { match: boolean; nextChangeAt?: number } | undefined): string[] => {
    const inNow: string[] = [];
    for (const rule of rules) {
      const v = matches(rule);
      if (!v) continue;
      if (v.nextChangeAt !== undefined) next = next === undefined ? v.nextChangeAt : Math.min(next, v.nextChangeAt);
      if (v.match) inNow.push(rule.id);
    }
    const before = new Set(member.current.filter((id) => existing.has(id)));
    for (const id of inNow) if (!before.has(id)) changes.push({ segmentId: id, memberId: member.id, change: 'entered' });
    for (const id of before) if (!inNow.includes(id)) changes.push({ segmentId: id, memberId: member.id, change: 'exited' });
    return inNow;
  };
  const result: Memberships = { people: new Map(), changes };
  for (const p of people) result.people.set(p.id, evaluateFor(p, (r) => (r.level === 'person' ? matchPerson(r.definition, p.facts, now) : undefined)));
  if (account) result.account = evaluateFor(account, (r) => (r.level === 'account' ? matchAccount(r.definition, account.facts, now) : undefined));
  result.nextChangeAt = next;
  return result;
}
