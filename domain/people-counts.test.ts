import { countKey, movesOf, tally } from './people-counts';

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
