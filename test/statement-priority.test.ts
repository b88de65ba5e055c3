import { asBackground, writeEach } from '../lib/each-statement';

const settled = () => new Promise((r) => setImmediate(r));

test("a live event's statement waiting for the database goes ahead of a re-score's queued writes", async () => {
  const open: (() => void)[] = [];
  const held = () => new Promise<void>((resolve) => open.push(resolve));
  const order: string[] = [];
  // The pool is full of statements already running.
  const running = writeEach(Array.from({ length: 16 }), held);
  try {
    await settled();
    expect(open).toHaveLength(16);
    // A re-score queues its writes, then a live event's statement arrives behind them.
    const rescore = asBackground(() => writeEach(['p1', 'p2', 'p3'], async (p) => void order.push(`re-score ${p}`)));
    const live = writeEach(['visit'], async (e) => void order.push(`live ${e}`));
    await settled();
    expect(order).toEqual([]);

    // One running statement finishes: its place goes to the live statement.
    open.shift()!();
    await live;
    expect(order[0]).toBe('live visit');
    open.splice(0).forEach((finish) => finish());
    await rescore;
    expect(order).toEqual(['live visit', 're-score p1', 're-score p2', 're-score p3']);
  } finally {
    open.splice(0).forEach((finish) => finish());
    await running;
  }
});

test('a re-score runs its writes at once when nothing else waits for the database', async () => {
  let concurrent = 0;
  let most = 0;
  await asBackground(() =>
    writeEach(Array.from({ length: 20 }), async () => {
      most = Math.max(most, ++concurrent);
      await settled();
      concurrent -= 1;
    }),
  );
  expect(most).toBe(16);
});
