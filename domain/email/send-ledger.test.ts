import { countedSends, recentEntries } from './send-ledger';

test('a send both read with the batch and reserved in the ledger counts once; one reserved beside the batch counts too', () => {
  expect(countedSends([{ m: 'a', at: 1 }], [{ m: 'a', at: 1 }, { m: 'b', at: 2 }])).toEqual([1, 2]);
});

test('entries older than a week are dropped', () => {
  const now = 10 * 86_400_000;
  expect(recentEntries([{ m: 'old', at: now - 8 * 86_400_000 }, { m: 'new', at: now - 1 }], now)).toEqual([{ m: 'new', at: now - 1 }]);
});
