import { LiveFirst, QUIET_MS } from '../lib/live-first';

const never = new AbortController().signal;
const ctx = { slotType: 'activity' as const, taskQueue: 'q-background', workerIdentity: 'w', workerBuildId: '', isSticky: false };
const release = { slotInfo: undefined, permit: {} };

/** Reserves background slots until one waits; returns the slots taken at once and the one waiting. */
async function takeAll(first: LiveFirst, max = 10): Promise<{ taken: number; waiting: Promise<unknown> }> {
  const supplier = first.slotSupplier();
  for (let taken = 0; taken < max; taken++) {
    let settled = false;
    const reservation = supplier.reserveSlot(ctx, never).then((p) => ((settled = true), p));
    await Promise.resolve();
    await Promise.resolve();
    if (!settled) return { taken, waiting: reservation };
  }
  throw new Error('every reservation went through');
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('with no live events, background refreshes take all their slots', async () => {
  const { taken } = await takeAll(new LiveFirst(4));
  expect(taken).toBe(4);
});

test('while live events are applied, background refreshes start one at a time, and widen again a quiet second after', async () => {
  const first = new LiveFirst(4);
  let endBatch!: () => void;
  const batch = first.live(() => new Promise<void>((resolve) => (endBatch = resolve)));

  const { taken, waiting } = await takeAll(first);
  expect(taken).toBe(1);
  let second = false;
  void waiting.then(() => (second = true));

  endBatch();
  await batch;
  await jest.advanceTimersByTimeAsync(QUIET_MS - 100);
  expect(second).toBe(false);
  await jest.advanceTimersByTimeAsync(100);
  expect(second).toBe(true);
  expect(first.width()).toBe(4);
});

test('a background refresh that ends lets the next one start, even while live events are applied', async () => {
  const first = new LiveFirst(4);
  const supplier = first.slotSupplier();
  void first.live(() => new Promise(() => undefined));
  const { taken, waiting } = await takeAll(first);
  expect(taken).toBe(1);
  let next = false;
  void waiting.then(() => (next = true));
  supplier.releaseSlot(release as never);
  await jest.advanceTimersByTimeAsync(0);
  expect(next).toBe(true);
});

test('a reservation the worker no longer needs is withdrawn, and takes no slot', async () => {
  const first = new LiveFirst(1);
  const supplier = first.slotSupplier();
  await supplier.reserveSlot(ctx, never);
  const stop = new AbortController();
  const withdrawn = supplier.reserveSlot(ctx, stop.signal);
  stop.abort();
  await expect(withdrawn).rejects.toBe(stop.signal.reason);
  supplier.releaseSlot(release as never);
  expect(supplier.tryReserveSlot(ctx)).not.toBeNull();
});
