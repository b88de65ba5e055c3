import { valueTest } from '../condition';
import { AccountDefinition, isBuyingGroup, isPeople, isPerformed, Performed, PersonDefinition } from './definition';
import { type BuyingGroupFacts, matchAccount, windowOf } from './evaluate';
import type { PerformerIndex } from './performers';
import type { Rows } from './rows';

/**
 * Who matches a definition, answered for everyone at once as one flag per
 * row: a field condition reads its column, a `performed` part the events of
 * its type in its window (the index), and all / any / not combine the flags.
 * The verdicts are matchPerson's and matchAccount's, a preview's way.
 */
export function selectPeople(d: PersonDefinition, people: Rows, performers: PerformerIndex, now: number): Uint8Array {
  if ('all' in d) return combine(people, d.all.map((x) => selectPeople(x, people, performers, now)), 'all');
  if ('any' in d) return combine(people, d.any.map((x) => selectPeople(x, people, performers, now)), 'any');
  if ('not' in d) return negate(people, selectPeople(d.not, people, performers, now));
  if (isPerformed(d)) return performedBy(d, people, performers, now);
  return byColumn(people, d.field, valueTest(d));
}

/** People's rows hold their account's key as `person.accountKey`. */
export interface AccountLevel {
  accounts: Rows;
  people: Rows;
  performers: PerformerIndex;
  groupsOf: (accountKey: string) => readonly BuyingGroupFacts[] | undefined;
}

export function selectAccounts(d: AccountDefinition, level: AccountLevel, now: number): Uint8Array {
  const { accounts } = level;
  if ('all' in d) return combine(accounts, d.all.map((x) => selectAccounts(x, level, now)), 'all');
  if ('any' in d) return combine(accounts, d.any.map((x) => selectAccounts(x, level, now)), 'any');
  if ('not' in d) return negate(accounts, selectAccounts(d.not, level, now));
  if (isPeople(d)) {
    // An account matches when at least minCount of its people do.
    const matched = selectPeople(d.people, level.people, level.performers, now);
    // Each person's account, through the column of account keys: one lookup per account, not per person.
    const { codes, values } = level.people.column('person.accountKey');
    const accountRows = values.map((key) => (typeof key === 'string' ? accounts.row(key) : undefined));
    const counts = new Uint32Array(accounts.length);
    for (let r = 0; r < matched.length; r++) {
      const row = matched[r] ? accountRows[codes[r]] : undefined;
      if (row !== undefined) counts[row]++;
    }
    return atLeast(counts, d.minCount ?? 1);
  }
  if (isBuyingGroup(d)) {
    const flags = new Uint8Array(accounts.length);
    accounts.ids.forEach((key, r) => {
      if (key !== undefined) flags[r] = matchAccount(d, { account: {}, people: [], buyingGroups: level.groupsOf(key) }, now).match ? 1 : 0;
    });
    return flags;
  }
  return byColumn(accounts, d.field, valueTest(d));
}

/** The people with at least minCount such events in (now - within, now], as matchPerson counts them. */
function performedBy(d: Performed, people: Rows, performers: PerformerIndex, now: number): Uint8Array {
  const from = now - windowOf(d.within);
  const counts = new Uint32Array(people.length);
  performers.count(d.performed, from, now, d.where, counts);
  return atLeast(counts, d.minCount ?? 1);
}

function atLeast(counts: Uint32Array, least: number): Uint8Array {
  const flags = new Uint8Array(counts.length);
  for (let r = 0; r < flags.length; r++) flags[r] = counts[r] >= least ? 1 : 0;
  return flags;
}

/** The condition is tested once per distinct value of the column, then each row takes its value's verdict. */
function byColumn(rows: Rows, field: string, test: (value: unknown) => boolean): Uint8Array {
  const { codes, values } = rows.column(field);
  const verdicts = Uint8Array.from(values, (v) => (test(v) ? 1 : 0));
  const flags = new Uint8Array(rows.length);
  for (let r = 0; r < flags.length; r++) flags[r] = rows.ids[r] === undefined ? 0 : verdicts[codes[r]];
  return flags;
}

function combine(rows: Rows, parts: Uint8Array[], how: 'all' | 'any'): Uint8Array {
  const flags = how === 'all' ? rows.occupied() : new Uint8Array(rows.length);
  for (const part of parts) for (let r = 0; r < flags.length; r++) flags[r] = how === 'all' ? flags[r] & part[r] : flags[r] | part[r];
  return flags;
}

function negate(rows: Rows, part: Uint8Array): Uint8Array {
  const flags = rows.occupied();
  for (let r = 0; r < flags.length; r++) flags[r] &= part[r] ^ 1;
  return flags;
}
