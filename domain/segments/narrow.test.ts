import fc from 'fast-check';
import type { ScoredEvent } from '../scoring/evaluate';
import { narrowAccounts, narrowPeople } from './narrow';
import type { AccountDefinition, PersonDefinition } from './definition';
import { matchAccount, matchPerson, PersonFacts } from './evaluate';
import { PerformerIndex } from './performers';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const HOUR = 3_600_000;
const TYPES = ['web_visit', 'email_open', 'whitepaper_download'] as const;

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

const people = fc.array(fc.record({ account: fc.integer({ min: 0, max: 4 }), events: fc.array(event, { maxLength: 6 }), title: fc.constantFrom('CTO', 'Buyer') }), { maxLength: 25 }).map((list) =>
  list.map((p, i): Someone => ({
    id: `p${i}`,
    accountKey: `a${p.account}`,
    facts: {
      person: { jobTitle: p.title },
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

const performed = fc.record({ performed: fc.constantFrom(...TYPES), within: fc.constantFrom('P1D', 'P7D', 'P30D', 'PT36H'), minCount: fc.integer({ min: 1, max: 2 }), url: fc.boolean() }).map(
  ({ url, ...p }): PersonDefinition => (url ? { ...p, where: { field: 'event.properties.url', op: 'eq', value: '/pricing' } } : p),
);
const field: fc.Arbitrary<PersonDefinition> = fc.constant({ field: 'person.jobTitle', op: 'eq', value: 'CTO' });
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

function indexOf(everyone: Someone[]): PerformerIndex {
  const index = new PerformerIndex();
  for (const p of everyone) index.add(p.id, p.facts);
  return index;
}

test('the people found from the index of events are exactly those a person segment matches, or include them all when a part needs a look at each', () => {
  let narrowedWithMatches = 0;
  fc.assert(
    fc.property(people, personDefinition, (everyone, d) => {
      const narrowed = narrowPeople(d, indexOf(everyone), NOW);
      if (!narrowed) return;
      const matched = everyone.filter((p) => matchPerson(d, p.facts, NOW).match).map((p) => p.id);
      if (narrowed.exact) expect([...narrowed.ids].sort()).toEqual(matched.sort());
      else for (const id of matched) expect(narrowed.ids).toContain(id);
      if (matched.length && narrowed.ids.size < everyone.length) narrowedWithMatches++;
    }),
    { numRuns: 500 },
  );
  expect(narrowedWithMatches).toBeGreaterThan(10);
});

test('the accounts found from the index of events are exactly those an account segment matches, or include them all', () => {
  const accountDefinition = fc.tuple(personDefinition, fc.integer({ min: 1, max: 2 }), fc.boolean()).map(
    ([inner, minCount, software]): AccountDefinition => (software ? { all: [{ field: 'account.industry', op: 'eq', value: 'Software' }, { people: inner, minCount }] } : { people: inner, minCount }),
  );
  let narrowedWithMatches = 0;
  fc.assert(
    fc.property(people, accountDefinition, (everyone, d) => {
      const accountOf = (id: string) => everyone.find((p) => p.id === id)?.accountKey;
      const narrowed = narrowAccounts(d, indexOf(everyone), accountOf, NOW);
      if (!narrowed) return;
      const keys = [...new Set(everyone.map((p) => p.accountKey))];
      const matched = keys.filter((key) => matchAccount(d, { account: { industry: 'Software' }, people: everyone.filter((p) => p.accountKey === key).map((p) => p.facts) }, NOW).match);
      if (narrowed.exact) expect([...narrowed.ids].sort()).toEqual(matched.sort());
      else for (const key of matched) expect(narrowed.ids).toContain(key);
      if (matched.length && narrowed.ids.size < keys.length) narrowedWithMatches++;
    }),
    { numRuns: 1000 },
  );
  expect(narrowedWithMatches).toBeGreaterThan(10);
});

test('a visit this week narrows a "visited in the last 7 days" preview to its visitor, and nobody is left once she is taken out', () => {
  const visitor: PersonFacts = { person: { jobTitle: 'CTO' }, events: [{ eventId: 'v1', type: 'web_visit', occurredAt: new Date(NOW - 2 * 24 * HOUR).toISOString(), properties: {} }] };
  const index = new PerformerIndex();
  index.add('p1', visitor);
  const d: PersonDefinition = { all: [{ performed: 'web_visit', within: 'P7D' }, { field: 'person.jobTitle', op: 'eq', value: 'CTO' }] };
  expect(narrowPeople(d, index, NOW)).toEqual({ ids: new Set(['p1']), exact: false });
  expect(narrowPeople({ performed: 'web_visit', within: 'P7D' }, index, NOW)).toEqual({ ids: new Set(['p1']), exact: true });
  // A definition with no `performed` part narrows nothing.
  expect(narrowPeople({ field: 'person.jobTitle', op: 'eq', value: 'CTO' }, index, NOW)).toBeUndefined();
  index.remove('p1', visitor);
  expect(narrowPeople(d, index, NOW)!.ids.size).toBe(0);
});
