/**
 * FerretDB 1.x holds one PostgreSQL connection per statement of an update
 * command until the whole command returns; with its pool of 50, a bulkWrite
 * of 50 updates (or several smaller ones at once) waits forever for a
 * connection. Multi-document updates therefore go one statement at a time,
 * at most MAX_IN_FLIGHT in the whole process.
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

/** Runs each write as its own statement, bounded process-wide. */
export async function writeEach<T>(items: readonly T[], write: (item: T) => Promise<unknown>): Promise<void> {
  await Promise.all(
    items.map(async (item) => {
      await acquire();
      try {
        await write(item);
      } finally {
        release();
      }
    }),
  );
}
