/**
 * Lets a fan-out's items through only as fast as a queue it feeds drains: each
 * reading of the queue's backlog lets `limit - backlog` items through, and the
 * backlog is read at most every `everyMs` (the count the server gives may lag,
 * so between readings nothing more goes). A backlog that cannot be known (null:
 * a server without statistics) lets everything through. Lanes may call pass()
 * at once: one reading serves them all. `pause` waits between readings (an
 * activity heartbeats there, and gives up when it is cancelled).
 */
export function backlogGate(opts: { limit: number; everyMs: number; read: () => Promise<number | null>; pause: (ms: number) => Promise<void> }): () => Promise<void> {
  let allowance = 0;
  let lastReadAt = 0;
  let reading: Promise<void> | undefined;
  const refill = async () => {
    const rest = lastReadAt + opts.everyMs - Date.now();
    if (rest > 0) await opts.pause(rest);
    lastReadAt = Date.now();
    const backlog = await opts.read();
    allowance = backlog === null ? Infinity : opts.limit - backlog;
  };
  return async function pass() {
    while (allowance <= 0) {
      reading ??= refill().finally(() => (reading = undefined));
      await reading;
    }
    allowance -= 1;
  };
}
