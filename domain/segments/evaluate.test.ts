import fc from 'fast-check';
import { parseDuration } from '../duration';
import type { ScoredEvent } from '../scoring/evaluate';
import { accountDefinitionSchema, checkDefinition, personDefinitionSchema, PersonDefinition } from './definition';
import { matchAccount, matchPerson, PersonFacts } from './evaluate';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const URLS = ['/pricing', '/product-a', '/demo'];

// The seed's "circle selection": opened an email about Product A in the last 7 days, OR
// visited one of three URLs in the last 30 days, OR bought A in the last 7 days.
const seedCircle: PersonDefinition = personDefinitionSchema.parse({
  any: [
    { performed: 'email_open', where: { field: 'event.properties.subject', op: 'contains', value: 'Product A' }, within: 'P7D' },
    { performed: 'web_visit', where: { field: 'event.properties.url', op: 'in', value: URLS }, within: 'P30D' },
    { performed: 'purchase', where: { field: 'event.properties.product', op: 'eq', value: 'A' }, within: 'P7D' },
  ],
});

const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
const ev = (type: ScoredEvent['type'], daysAgo: number, properties: Record<string, unknown> = {}): ScoredEvent => ({ eventId: `${type}-${daysAgo}-${JSON.stringify(properties)}`, type, occurredAt: at(daysAgo), properties });
const facts = (events: ScoredEvent[], person: Record<string, unknown> = {}): PersonFacts => ({ person, events });

describe("the seed's circle selection", () => {
  test('a lead who opened the Product A mail three days ago is in; one who opened it ten days ago is not', () => {
    expect(matchPerson(seedCircle, facts([ev('email_open', 3, { subject: 'Launch of Product A' })]), NOW).match).toBe(true);
    expect(matchPerson(seedCircle, facts([ev('email_open', 10, { subject: 'Launch of Product A' })]), NOW).match).toBe(false);
  });

  test('a visit to the pricing page 20 days ago keeps a lead in until day 30, and says when it stops', () => {
    const v = matchPerson(seedCircle, facts([ev('web_visit', 20, { url: '/pricing' }), ev('web_visit', 2, { url: '/blog' })]), NOW);
    expect(v).toEqual({ match: true, nextChangeAt: Date.parse(at(20)) + 30 * DAY });
  });
});

test('an account with two people who downloaded the whitepaper this quarter matches "two engaged contacts"', () => {
  const def = accountDefinitionSchema.parse({ all: [{ field: 'account.industry', op: 'eq', value: 'software' }, { people: { performed: 'whitepaper_download', within: 'P90D' }, minCount: 2 }] });
  const people = [facts([ev('whitepaper_download', 10)]), facts([ev('whitepaper_download', 80)]), facts([])];
  expect(matchAccount(def, { account: { industry: 'Software' }, people }, NOW)).toEqual({ match: true, nextChangeAt: Date.parse(at(80)) + 90 * DAY });
  expect(matchAccount(def, { account: { industry: 'Retail' }, people }, NOW).match).toBe(false);
});

describe('definitions a marketer gets wrong are refused with the path', () => {
  test('an unknown field', () => {
    const d = personDefinitionSchema.parse({ all: [{ field: 'person.shoeSize', op: 'eq', value: 42 }] });
    expect(checkDefinition('person', d)).toEqual([{ path: 'definition.all.0.field', message: expect.stringContaining("unknown field 'person.shoeSize'") }]);
  });
  test('an account segment naming a person field outside `people`', () => {
    const d = accountDefinitionSchema.parse({ field: 'person.jobTitle', op: 'contains', value: 'CTO' });
    expect(checkDefinition('account', d)[0].path).toBe('definition.field');
  });
  test('an operator object as a value', () => {
    expect(personDefinitionSchema.safeParse({ field: 'person.email', op: 'eq', value: { $gt: '' } }).success).toBe(false);
  });
  test('a window longer than a year, and nesting deeper than six levels', () => {
    expect(personDefinitionSchema.safeParse({ performed: 'web_visit', within: 'P2Y' }).success).toBe(false);
    let deep: PersonDefinition = { field: 'person.email', op: 'exists' };
    for (let i = 0; i < 7; i++) deep = { not: deep };
    expect(checkDefinition('person', deep)).toEqual([{ path: 'definition', message: 'nested deeper than 6 levels' }]);
  });
});

// Differential: random definitions against a plain evaluation over the raw interactions.
interface RawEvent {
  type: 'email_open' | 'web_visit' | 'purchase';
  t: number;
  subject: string;
  url: string;
}

const aRawEvent = fc.record({
  type: fc.constantFrom('email_open' as const, 'web_visit' as const, 'purchase' as const),
  t: fc.integer({ min: NOW - 40 * DAY, max: NOW + 2 * DAY }),
  subject: fc.constantFrom('Product A launch', 'Product B', 'news'),
  url: fc.constantFrom(...URLS, '/blog'),
});

type Def = { kind: 'title'; value: string } | { kind: 'did'; type: RawEvent['type']; minCount: number; days: number; aboutA: boolean } | { kind: 'all' | 'any'; parts: Def[] } | { kind: 'not'; part: Def };

const aDef: fc.Arbitrary<Def> = fc.letrec<{ def: Def }>((tie) => ({
  def: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('title' as const), value: fc.constantFrom('CTO', 'Manager') }),
    fc.record({ kind: fc.constant('did' as const), type: fc.constantFrom('email_open' as const, 'web_visit' as const, 'purchase' as const), minCount: fc.integer({ min: 1, max: 3 }), days: fc.integer({ min: 1, max: 30 }), aboutA: fc.boolean() }),
    fc.record({ kind: fc.constantFrom('all' as const, 'any' as const), parts: fc.array(tie('def'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('not' as const), part: tie('def') }),
  ),
})).def;

function toDefinition(d: Def): PersonDefinition {
  switch (d.kind) {
    case 'title':
      return { field: 'person.jobTitle', op: 'contains', value: d.value };
    case 'did':
      return { performed: d.type, minCount: d.minCount, within: `P${d.days}D`, ...(d.aboutA ? { where: { any: [{ field: 'event.properties.subject', op: 'contains', value: 'product a' }, { field: 'event.properties.url', op: 'in', value: URLS }] } } : {}) };
    case 'not':
      return { not: toDefinition(d.part) };
    default:
      return d.kind === 'all' ? { all: d.parts.map(toDefinition) } : { any: d.parts.map(toDefinition) };
  }
}

function plainly(d: Def, title: string, events: RawEvent[], now: number): boolean {
  switch (d.kind) {
    case 'title':
      return title.toLowerCase().includes(d.value.toLowerCase());
    case 'did': {
      const about = (e: RawEvent) => e.subject.toLowerCase().includes('product a') || URLS.includes(e.url);
      const n = events.filter((e) => e.type === d.type && e.t <= now && e.t > now - d.days * DAY && (!d.aboutA || about(e))).length;
      return n >= d.minCount;
    }
    case 'all':
      return d.parts.every((p) => plainly(p, title, events, now));
    case 'any':
      return d.parts.some((p) => plainly(p, title, events, now));
    case 'not':
      return !plainly(d.part, title, events, now);
  }
}

const toFacts = (title: string, events: RawEvent[]): PersonFacts => ({
  person: { jobTitle: title },
  events: events.map((e, i) => ({ eventId: `e${i}`, type: e.type, occurredAt: new Date(e.t).toISOString(), properties: { subject: e.subject, url: e.url } })),
});

test('any definition counts the same people as a plain evaluation over their interactions', () => {
  fc.assert(
    fc.property(aDef, fc.array(fc.record({ title: fc.constantFrom('CTO', 'Marketing Manager', 'Engineer'), events: fc.array(aRawEvent, { maxLength: 8 }) }), { maxLength: 20 }), (def, people) => {
      const definition = personDefinitionSchema.parse(toDefinition(def));
      const ours = people.filter((p) => matchPerson(definition, toFacts(p.title, p.events), NOW).match).length;
      const plain = people.filter((p) => plainly(def, p.title, p.events, NOW)).length;
      expect(ours).toBe(plain);
    }),
    { numRuns: 300 },
  );
});

test('a verdict holds until its nextChangeAt: no exit or entry is missed between two looks', () => {
  fc.assert(
    fc.property(aDef, fc.constantFrom('CTO', 'Engineer'), fc.array(aRawEvent, { maxLength: 8 }), fc.double({ min: 0, max: 1, noNaN: true }), (def, title, events, f) => {
      const definition = personDefinitionSchema.parse(toDefinition(def));
      const v = matchPerson(definition, toFacts(title, events), NOW);
      const horizon = v.nextChangeAt ?? NOW + 60 * DAY;
      const later = Math.floor(NOW + f * (horizon - 1 - NOW));
      expect(plainly(def, title, events, later)).toBe(v.match);
    }),
    { numRuns: 300 },
  );
});

test('windows follow the duration language: PT3S counts an event for three seconds', () => {
  expect(parseDuration('PT3S')).toBe(3000);
  const v = matchPerson({ performed: 'web_visit', within: 'PT3S' }, facts([{ eventId: 'v', type: 'web_visit', occurredAt: new Date(NOW - 1000).toISOString() }]), NOW);
  expect(v).toEqual({ match: true, nextChangeAt: NOW + 2000 });
});
