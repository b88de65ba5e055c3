import fc from 'fast-check';
import { EVENT_TYPES } from '../events';
import { ScoredEvent, scorePerson } from './evaluate';
import { scoringModelSchema } from './model';
import { nextStatus } from './status';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;

const seedModel = scoringModelSchema.parse({
  fit: [
    { id: 'big-company', when: { field: 'account.employees', op: 'gt', value: 1000 }, points: 20 },
    { id: 'funded-d-plus', when: { field: 'account.fundingRound', op: 'gte', value: 'D' }, points: 30 },
  ],
  behavior: [
    { id: 'two-opens', event: 'email_open', minCount: 2, within: 'P3M', points: 10 },
    { id: 'site-visit', event: 'web_visit', within: 'P6M', points: 20 },
  ],
  qualifyAt: 60,
});

const anEvent = fc.record({
  eventId: fc.uuid(),
  type: fc.constantFrom(...EVENT_TYPES),
  occurredAt: fc.integer({ min: NOW - 400 * DAY, max: NOW }).map((t) => new Date(t).toISOString()),
});

const anAccount = fc.record({
  employees: fc.integer({ min: 0, max: 100000 }),
  fundingRound: fc.constantFrom('seed', 'Series A', 'B', 'C', 'Series D', 'E', 'IPO'),
});

describe('the seed scoring model, for any history', () => {
  test('the total is fit plus behaviour, and equals the sum of the breakdown', () => {
    fc.assert(
      fc.property(anAccount, fc.array(anEvent, { maxLength: 40 }), (account, events) => {
        const s = scorePerson(seedModel, { person: {}, account, events }, NOW);
        expect(s.total).toBe(s.fit + s.behavior);
        expect(s.breakdown.reduce((sum, b) => sum + b.points, 0)).toBe(s.total);
        expect(s.total).toBeGreaterThanOrEqual(0);
        expect(s.total).toBeLessThanOrEqual(80);
      }),
    );
  });

  test('order and duplicates of events do not change the score', () => {
    fc.assert(
      fc.property(anAccount, fc.array(anEvent, { maxLength: 30 }), fc.integer(), (account, events, seed) => {
        const shuffled = [...events].sort((a, b) => ((a.eventId.charCodeAt(0) * seed) % 7) - ((b.eventId.charCodeAt(0) * seed) % 7));
        const a = scorePerson(seedModel, { person: {}, account, events }, NOW);
        const b = scorePerson(seedModel, { person: {}, account, events: shuffled }, NOW);
        expect(b.total).toBe(a.total);
      }),
    );
  });

  test('a behaviour rule counts exactly the matching events inside its window', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 40 }), (events) => {
        const opens = events.filter((e) => e.type === 'email_open' && Date.parse(e.occurredAt) > NOW - 90 * DAY).length;
        const visits = events.filter((e) => e.type === 'web_visit' && Date.parse(e.occurredAt) > NOW - 180 * DAY).length;
        const s = scorePerson(seedModel, { person: {}, events }, NOW);
        expect(s.behavior).toBe((opens >= 2 ? 10 : 0) + (visits >= 1 ? 20 : 0));
      }),
    );
  });

  test('nothing changes before nextChangeAt, and something does right after it', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { minLength: 1, maxLength: 20 }), (events: ScoredEvent[]) => {
        const s = scorePerson(seedModel, { person: {}, events }, NOW);
        if (!s.nextChangeAt) return;
        const at = Date.parse(s.nextChangeAt);
        expect(at).toBeGreaterThan(NOW);
        expect(scorePerson(seedModel, { person: {}, events }, at - 1).behavior).toBe(s.behavior);
        expect(scorePerson(seedModel, { person: {}, events }, at).behavior).toBeLessThan(s.behavior);
      }),
    );
  });

  test("the seed's example: a big series-D company, two opens and a visit make 80", () => {
    const events = [
      { eventId: 'o1', type: 'email_open' as const, occurredAt: new Date(NOW - 20 * DAY).toISOString() },
      { eventId: 'o2', type: 'email_open' as const, occurredAt: new Date(NOW - 5 * DAY).toISOString() },
      { eventId: 'v1', type: 'web_visit' as const, occurredAt: new Date(NOW - 2 * DAY).toISOString() },
    ];
    const s = scorePerson(seedModel, { person: {}, account: { employees: 1500, fundingRound: 'Series D' }, events }, NOW);
    expect(s).toMatchObject({ total: 80, fit: 50, behavior: 30 });
    expect(s.breakdown.find((b) => b.ruleId === 'two-opens')).toMatchObject({ reason: '2× email_open within 90 days', eventIds: ['o1', 'o2'] });
    expect(s.nextChangeAt).toBe(new Date(NOW - 20 * DAY + 90 * DAY).toISOString());
  });
});

describe('lead status', () => {
  const model = scoringModelSchema.parse({ fit: [], behavior: [], qualifyAt: 60, discard: { below: 10, after: 'P30D' } });

  test('qualified at the threshold, nurture below it, discarded only after staying low for the whole period', () => {
    expect(nextStatus(model, undefined, 60, NOW).status).toBe('qualified');
    expect(nextStatus(model, undefined, 59, NOW).status).toBe('nurture');
    const low = nextStatus(model, undefined, 5, NOW);
    expect(low).toEqual({ status: 'nurture', lowSince: new Date(NOW).toISOString(), nextChangeAt: new Date(NOW + 30 * DAY).toISOString() });
    expect(nextStatus(model, low, 5, NOW + 30 * DAY - 1).status).toBe('nurture');
    expect(nextStatus(model, low, 5, NOW + 30 * DAY).status).toBe('discarded');
    expect(nextStatus(model, low, 15, NOW + 31 * DAY)).toEqual({ status: 'nurture' });
  });
});
