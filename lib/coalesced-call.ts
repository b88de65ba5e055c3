/**
 * One call in flight at a time: a caller that arrives while one runs shares
 * the next call, which starts when the running one ends. Every caller thus
 * gets a call that started after it asked (a wake that follows its own
 * writes), and a burst of N callers costs two calls instead of N.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const call = run().finally(() => {
      if (running === call) running = undefined;
    });
    running = call;
    return call;
  };
  return () => {
    if (!running) return start();
    queued ??= running.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}
