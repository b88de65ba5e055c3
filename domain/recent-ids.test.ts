import fc from 'fast-check';
import { freshEvents, RecentIds } from './recent-ids';

describe('remembering applied event ids', () => {
  test('an id re-sent within the window is not applied again, whatever the order and repetition', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 200 }), (ids) => {
        const seen = new RecentIds([], 1000);
        const applied: string[] = [];
        for (const batch of [ids.slice(0, ids.length / 2), ids.slice(ids.length / 2)]) {
          const fresh = freshEvents(batch.map((eventId) => ({ eventId })), seen);
          for (const e of fresh) {
            applied.push(e.eventId);
            seen.add(e.eventId);
          }
        }
        expect(applied).toEqual([...new Set(ids)]);
      }),
    );
  });

  test('memory is bounded: the oldest ids are forgotten first', () => {
    const seen = new RecentIds(['a', 'b', 'c'], 3);
    seen.add('d');
    expect(seen.toArray()).toEqual(['b', 'c', 'd']);
    expect(seen.has('a')).toBe(false);
    expect(new RecentIds(['a', 'b', 'c', 'd'], 2).toArray()).toEqual(['c', 'd']);
  });
});
