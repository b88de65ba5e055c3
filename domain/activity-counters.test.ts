import fc from 'fast-check';
import { activityDeltas } from './activity-counters';
import { EVENT_TYPES } from './events';

const anEvent = fc.record({
  eventId: fc.uuid(),
  type: fc.constantFrom(...EVENT_TYPES),
  occurredAt: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  personId: fc.constantFrom('p_a', 'p_b', 'p_c'),
});

describe('activity counters of a batch', () => {
  test('the account total is the sum of its people, per type, and the latest time is the latest event', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { minLength: 1, maxLength: 100 }), (events) => {
        const { total, perPerson } = activityDeltas(events);
        expect(total!.total).toBe(events.length);
        expect([...perPerson.values()].reduce((n, d) => n + d.total, 0)).toBe(events.length);
        for (const type of EVENT_TYPES) {
          const n = events.filter((e) => e.type === type).length;
          expect(total!.byType[type] ?? 0).toBe(n);
        }
        expect(total!.lastActivityAt).toBe(events.map((e) => e.occurredAt).sort().at(-1));
      }),
    );
  });

  test('an empty batch changes nothing', () => {
    expect(activityDeltas([])).toEqual({ total: undefined, perPerson: new Map() });
  });
});
