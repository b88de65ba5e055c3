import { nextRetryAt } from './backoff';

const retry = { maximumAttempts: 4, initialIntervalSeconds: 30 };

test('a failed email is tried again after 30 s, then 60 s, then 120 s, and is dead when its attempts are spent', () => {
  expect([1, 2, 3].map((n) => nextRetryAt(n, retry, 0))).toEqual([30_000, 60_000, 120_000]);
  expect(nextRetryAt(4, retry, 0)).toBeUndefined();
});

test('retries are never more than 30 minutes apart', () => {
  expect(nextRetryAt(10, { maximumAttempts: 20, initialIntervalSeconds: 30 }, 0)).toBe(30 * 60_000);
});
