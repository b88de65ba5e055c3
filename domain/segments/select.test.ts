import fc from 'fast-check';
import type { Condition } from '../condition';
import type { ScoredEvent } from '../scoring/evaluate';
import type { AccountDefinition, PersonDefinition } from './definition';
import { matchAccount, matchPerson, PersonFacts } from './evaluate';
import { PerformerIndex } from './performers';
import { Rows } from './rows';
import { selectAccounts, selectPeople } from './select';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const HOUR = 3_600_000;
const TYPES = ['web_visit', 'email_open', 'whitepaper_download'] as const;

/** Every other account is in software. */
const industryOf = (key: string) => ({ key, industry: Number(key.slice(1)) % 2 ? 'Software' : 'Retail' });

interface Someone {
  id: string;
  accountKey: string;
  facts: PersonFacts;
}

const event = fc.record({
  type: fc.constantFrom(...TYPES, 'Pricing Viewed'),
  // From 50 days ago to two days ahead (a future-dated event counts once its time comes).
  hoursAgo: fc.integer({ min: -48, max: 1200 }),
  url: fc.constantFrom('/pricing', '/blog'),
});

const people = fc.array(fc.record({ account: fc.integer({ min: 0, max: 4 }), events: fc.array(event, { maxLength: 6 }), title: fc.constantFrom('CTO', 'Buyer'), seniority: fc.constantFrom('vp', 'entry', undefined) }), { maxLength: 25 }).map((list) =>
  list.map((p, i): Someone => ({
    id: `p${i}`,
    accountKey: `a${p.account}`,
    facts: {
      person: { jobTitle: p.title, accountKey: `a${p.account}`, ...(p.seniority ? { seniority: p.seniority } : {}) },
      account: industryOf(`a${p.account}`),
      events: p.events.map(
        (e, k): ScoredEvent => ({
          eventId: `e${i}-${k}`,
          type: e.type as ScoredEvent['type'],
          // The tracked "Pricing Viewed" is mapped to a web visit.
          ...(e.type === 'Pricing Viewed' ? { means: 'web_visit' } : {}),
          occurredAt: new Date(NOW - e.hoursAgo * HOUR).toISOString(),
          properties: { url: e.url },
        }),
      ),
    },
  })),
);

// A `where` may read the event's fields and the person's.
const wheres: (Condition | undefined)[] = [
  undefined,
  { field: 'event.properties.url', op: 'eq', value: '/pricing' },
  { not: { field: 'event.properties.url', op: 'in', value: ['/blog'] } },
  { any: [{ field: 'event.properties.url', op: 'contains', value: 'PRIC' }, { field: 'person.jobTitle', op: 'eq', value: 'cto' }] },
];
const performed = fc.record({ performed: fc.constantFrom(...TYPES), within: fc.constantFrom('P1D', 'P7D', 'P30D', 'PT36H'), minCount: fc.integer({ min: 1, max: 2 }), where: fc.constantFrom(...wheres) }).map(
  ({ where, ...p }): PersonDefinition => (where ? { ...p, where } : p),
);
const field: fc.Arbitrary<PersonDefinition> = fc.constantFrom<PersonDefinition>(
  { field: 'person.jobTitle', op: 'eq', value: 'CTO' },
  { field: 'account.industry', op: 'eq', value: 'software' },
  { field: 'person.seniority', op: 'gte', value: 'director' },
);
const personDefinition = fc.letrec<{ d: PersonDefinition }>((tie) => ({
  d: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    performed,
    field,
    fc.array(tie('d'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('d'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    tie('d').map((not) => ({ not })),
  ),
})).d;

/** The snapshot's view of these people: the index of events and a row each, people taken out and put back on the way (rows are reused). */
function held(everyone: Someone[]) {
  const performers = new PerformerIndex();
  const people = new Rows();
  const put = (p: Someone) => performers.add(people.set(p.id, { person: p.facts.person, account: p.facts.account }), p.facts);
  everyone.forEach(put);
  // Columns built now must follow the changes below.
  people.column('person.jobTitle');
  for (const p of everyone.filter((_, i) => i % 3 === 0)) {
    performers.remove(people.row(p.id)!, p.facts);
    people.delete(p.id);
  }
  everyone.filter((_, i) => i % 3 === 0).reverse().forEach(put);
  return { performers, people };
}

const flagged = (rows: Rows, flags: Uint8Array) => rows.ids.filter((id, r) => id !== undefined && flags[r]).sort();

test('a person segment selects, from the columns and the index of events, exactly the people it matches one by one', () => {
  let withMatches = 0;
  fc.assert(
    fc.property(people, personDefinition, (everyone, d) => {
      const { performers, people: rows } = held(everyone);
      const matched = everyone.filter((p) => matchPerson(d, p.facts, NOW).match).map((p) => p.id);
      expect(flagged(rows, selectPeople(d, rows, performers, NOW))).toEqual(matched.sort());
      if (matched.length) withMatches++;
    }),
    { numRuns: 500 },
  );
  expect(withMatches).toBeGreaterThan(50);
});

test('an account segment selects exactly the accounts it matches one by one, on its fields, its people and its buying groups', () => {
  const part = fc.oneof(
    fc.tuple(personDefinition, fc.integer({ min: 1, max: 2 })).map(([inner, minCount]): AccountDefinition => ({ people: inner, minCount })),
    fc.constant<AccountDefinition>({ field: 'account.industry', op: 'eq', value: 'Software' }),
    fc.constant<AccountDefinition>({ buyingGroup: { solutionInterest: 'Analytics', complete: false } }),
  );
  const accountDefinition = fc.oneof(
    part,
    fc.array(part, { minLength: 1, maxLength: 3 }).map((all): AccountDefinition => ({ all })),
    fc.array(part, { minLength: 1, maxLength: 3 }).map((any): AccountDefinition => ({ any })),
    part.map((not): AccountDefinition => ({ not })),
  );
  const groupsOf = (key: string) => (key === 'a1' || key === 'a4' ? [{ solutionInterest: 'Analytics', complete: key === 'a4', missingRoles: [] }] : undefined);
  let withMatches = 0;
  fc.assert(
    fc.property(people, accountDefinition, (everyone, d) => {
      const { performers, people: personRows } = held(everyone);
      const accounts = new Rows();
      const keys = [...new Set(everyone.map((p) => p.accountKey))];
      for (const key of keys) accounts.set(key, { account: industryOf(key) });
      const flags = selectAccounts(d, { accounts, people: personRows, performers, groupsOf }, NOW);
      const matched = keys.filter((key) => matchAccount(d, { account: industryOf(key), people: everyone.filter((p) => p.accountKey === key).map((p) => p.facts), buyingGroups: groupsOf(key) }, NOW).match);
      expect(flagged(accounts, flags)).toEqual(matched.sort());
      if (matched.length) withMatches++;
    }),
    { numRuns: 500 },
  );
  expect(withMatches).toBeGreaterThan(50);
});

test('a list field such as tags matches whoever holds the tag, and a person re-tagged or taken out is judged on what she holds now', () => {
  const rows = new Rows();
  const performers = new PerformerIndex();
  const tagged = (tags: string[]) => ({ person: { attributes: { tags } } });
  rows.set('ana', tagged(['Cloud', 'AI']));
  rows.set('ben', tagged(['AI']));
  const d: PersonDefinition = { field: 'person.attributes.tags', op: 'eq', value: 'cloud' };
  const select = () => flagged(rows, selectPeople(d, rows, performers, NOW));
  expect(select()).toEqual(['ana']);
  rows.set('ana', tagged(['AI']));
  rows.set('ben', tagged(['cloud']));
  expect(select()).toEqual(['ben']);
  rows.delete('ben');
  rows.set('cy', tagged(['CLOUD']));
  expect(select()).toEqual(['cy']);
});
