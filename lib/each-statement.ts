/**
 * Many documents, one statement each, at most MAX_IN_FLIGHT in the whole process.
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

/** Runs each item's statement, bounded process-wide. */
async function each<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  return Promise.all(
    items.map(async (item) => {
      await acquire();
      try {
        return await run(item);
      } finally {
        release();
      }
    }),
  );
}

/** Runs each write as its own statement, bounded process-wide. */
export async function writeEach<T>(items: readonly T[], write: (item: T) => Promise<unknown>): Promise<void> {
  await each(items, write);
}

/** The documents whose field equals one of the values: one equality read per distinct value. */
export async function findEach<V, D>(values: readonly V[], find: (value: V) => Promise<D[]>): Promise<D[]> {
  return (await each([...new Set(values)], find)).flat();
}
