import { countKey, KeptCountFollower, movesOf, tally } from './people-counts';

describe('counting people as a re-score or a segment evaluation moves them', () => {
  test('a person written with a new model version and a new segment revision counts towards both', () => {
    expect(movesOf({ scoreModelVersion: 1, segmentsRevision: 4 }, { scoreModelVersion: 2, segmentsRevision: 5 })).toEqual(['scoreModelVersion:2', 'segmentsRevision:5']);
  });

  test('a person already carrying the version and revision counts nothing again (a batch applied twice counts once)', () => {
    expect(movesOf({ scoreModelVersion: 2, segmentsRevision: 5 }, { scoreModelVersion: 2, segmentsRevision: 5 })).toEqual([]);
  });

  test('a person scored for the first time counts towards the version; a write that leaves a field out counts nothing for it', () => {
    expect(movesOf({}, { scoreModelVersion: 3 })).toEqual(['scoreModelVersion:3']);
    expect(movesOf({ scoreModelVersion: 1 }, { segmentsRevision: 1 })).toEqual(['segmentsRevision:1']);
  });

  test('the moves of many writes are summed per count', () => {
    const sums = tally([[countKey('scoreModelVersion', 2)], [countKey('scoreModelVersion', 2), countKey('segmentsRevision', 7)], []]);
    expect(Object.fromEntries(sums)).toEqual({ 'scoreModelVersion:2': 2, 'segmentsRevision:7': 1 });
  });
});

describe('when a job takes the exact count', () => {
  test('when the kept count has moved by everyone to wait for, and not before', () => {
    const counted = new KeptCountFollower(5);
    expect(counted.poll(7, 10)).toBe(false);
    expect(counted.remaining(7, 10)).toBe(3);
    expect(counted.poll(10, 10)).toBe(true);
  });

  test('when the kept count stops moving, with twice the patience after an exact count that found people behind', () => {
    const counted = new KeptCountFollower(2);
    expect([counted.poll(4, 10), counted.poll(4, 10), counted.poll(4, 10)]).toEqual([false, false, true]);
    counted.stillBehind(3, 4);
    expect(counted.remaining(5, 10)).toBe(2);
    expect([5, 5, 5, 5, 5].map((n) => counted.poll(n, 10))).toEqual([false, false, false, false, true]);
  });

  test('never while the number of people to wait for is unknown', () => {
    const counted = new KeptCountFollower(1);
    expect([counted.poll(0, undefined), counted.poll(0, undefined)]).toEqual([false, false]);
    expect(counted.poll(0, 10)).toBe(true);
  });
});
