import { backlogGate } from '../lib/backlog-gate';

const EVERY_MS = 50;

test('a re-score wakes only as many accounts as the background queue has room for, and waits for it to drain', async () => {
  const backlogs = [0, 3, 4, 1];
  const reads: number[] = [];
  let waits = 0;
  const start = Date.now();
  const pass = backlogGate({
    limit: 4,
    everyMs: EVERY_MS,
    read: async () => (reads.push(Date.now() - start), backlogs.shift() ?? 0),
    pause: (ms) => (waits++, new Promise((resolve) => setTimeout(resolve, ms))),
  });
  const through: number[] = [];
  // 16 lanes at once, as the fan-out runs them; 9 items.
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < 9) {
      next++;
      await pass();
      through.push(reads.length);
    }
  }));
  // Backlog 0 lets 4 through, 3 lets 1, 4 lets none, 1 lets 3: nine items after four readings.
  expect(through).toEqual([1, 1, 1, 1, 2, 4, 4, 4, 5]);
  for (let i = 1; i < reads.length; i++) expect(reads[i] - reads[i - 1]).toBeGreaterThanOrEqual(EVERY_MS - 5);
  // Every wait goes through pause (where the fan-out heartbeats and hears a shutdown).
  expect(waits).toBe(reads.length - 1);
});

test('without queue statistics a fan-out is not held back', async () => {
  let reads = 0;
  const pass = backlogGate({ limit: 4, everyMs: 60_000, read: async () => (reads++, null), pause: async () => {} });
  for (let i = 0; i < 100; i++) await pass();
  expect(reads).toBe(1);
});
