/**
 * Many documents, one statement each, at most MAX_IN_FLIGHT in the whole process
 * (the project's one concurrency pool: long fan-outs of Temporal calls use it too).
 *
 * Writes: FerretDB 1.x holds one PostgreSQL connection per statement of an update
 * command until the whole command returns; with its pool of 50, a bulkWrite of 50
 * updates (or several smaller ones at once) waits forever for a connection.
 * Reads: only a top-level equality is pushed down to PostgreSQL (and indexed, see
 * scripts/stack/postgres-indexes.ts); `$in` decodes the whole collection in Go
 * (2.3 s at 100K), so a read of N keys is N equality reads.
 */
const MAX_IN_FLIGHT = 16;

let inFlight = 0;
const waiting: (() => void)[] = [];

async function acquire(): Promise<void> {
  if (inFlight < MAX_IN_FLIGHT) {
    inFlight += 1;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else inFlight -= 1;
}

async function inPool<R>(run: () => Promise<R>): Promise<R> {
  await acquire();
  try {
    return await run();
  } finally {
    release();
  }
}

/** Runs each item's statement, bounded process-wide. */
async function each<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  return Promise.all(items.map((item) => inPool(() => run(item))));
}

/** Runs each write as its own statement, bounded process-wide. */
export async function writeEach<T>(items: readonly T[], write: (item: T) => Promise<unknown>): Promise<void> {
  await each(items, write);
}

/** The documents whose field equals one of the values: one equality read per distinct value. */
export async function findEach<V, D>(values: readonly V[], find: (value: V) => Promise<D[]>): Promise<D[]> {
  return (await each([...new Set(values)], find)).flat();
}

/**
 * A long fan-out that a retry resumes without skipping anything: items run
 * through the pool in the order of their keys, and after each one finishes
 * `checkpoint` gets the key of the lowest item not yet finished, so everything
 * before it is done. (A count of finished items is no such point: items finish
 * out of order, so the count can pass one still in flight.) Keys rather than
 * positions, because a retry reads its items again and they may have changed
 * (an item added since, before the checkpoint, is not run: it is newer than the
 * fan-out). `resumeFrom` is the last checkpoint; anything else (none, or an
 * older worker's count) starts from the first item.
 * At most MAX_IN_FLIGHT items wait for the pool at a time, so other statements
 * are not queued behind the whole fan-out; an item must not use the pool itself.
 */
export async function eachResumable<T>(
  items: readonly T[],
  key: (item: T) => string,
  resumeFrom: unknown,
  run: (item: T) => Promise<void>,
  checkpoint: (resumeFrom: string) => void,
  /** Awaited before each item takes a place in the pool: a fan-out's pacing, which must not hold a place while it waits. */
  beforeEach: () => Promise<void> = async () => {},
): Promise<void> {
  const keyed = items.map((item) => ({ key: key(item), item })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const start = typeof resumeFrom === 'string' ? keyed.findIndex((k) => k.key >= resumeFrom) : 0;
  if (start < 0) return;
  const finished = new Set<number>();
  let lowest = start;
  let next = start;
  let failed = false;
  const lane = async () => {
    while (!failed && next < keyed.length) {
      const i = next++;
      try {
        await beforeEach();
        await inPool(() => run(keyed[i].item));
      } catch (err) {
        failed = true;
        throw err;
      }
      finished.add(i);
      if (i !== lowest) continue;
      while (finished.delete(lowest)) lowest++;
      if (lowest < keyed.length) checkpoint(keyed[lowest].key);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, keyed.length - start) }, lane));
}
