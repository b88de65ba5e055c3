import { coalesced } from '../lib/coalesced-call';

test('a burst of dispatcher wakes costs one call in flight and one after it, and every caller waits for a call that began after it asked', async () => {
  const calls: { startedAt: number; finish: () => void }[] = [];
  let clock = 0;
  const wake = coalesced(() => new Promise<void>((resolve) => calls.push({ startedAt: ++clock, finish: resolve })));
  const askedAt: number[] = [];
  const done: number[] = [];
  const ask = (i: number) => {
    askedAt[i] = ++clock;
    return wake().then(() => void done.push(i));
  };
  const waiting = [ask(0), ask(1), ask(2), ask(3)];
  expect(calls).toHaveLength(1);
  calls[0].finish();
  await waiting[0];
  expect(done).toEqual([0]);
  // The three that asked while the first call ran share the second.
  await new Promise((r) => setImmediate(r));
  expect(calls).toHaveLength(2);
  expect(calls[1].startedAt).toBeGreaterThan(Math.max(...askedAt));
  calls[1].finish();
  await Promise.all(waiting);
  expect(done.sort()).toEqual([0, 1, 2, 3]);
  expect(calls).toHaveLength(2);
});

test('a wake that fails fails for every caller sharing it, and the next wake calls afresh', async () => {
  let attempts = 0;
  const wake = coalesced(async () => {
    attempts += 1;
    if (attempts === 1) throw new Error('server unavailable');
  });
  await expect(wake()).rejects.toThrow('server unavailable');
  await expect(wake()).resolves.toBeUndefined();
  expect(attempts).toBe(2);
});
