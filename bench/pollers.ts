// Pollers that read what a load changed until each change shows: a few
// concurrent readers, each taking the target whose next read is due first (a
// target is never read by two at once), so the latency's resolution stays
// small while the reads, which share the cores with the engine, stay few.
import { sleep, waitFor } from './scenario';

/** The pollers' bookkeeping on each target. */
export interface Polled {
  /** When it was last read (0: never). */
  lastPolled: number;
  /** Being read now. */
  busy: boolean;
}

export interface PollerOptions<T> {
  /** Readers running at once. */
  pollers: number;
  /** When the target is next to be read (ms since the epoch), or undefined while it has nothing outstanding. */
  dueAt: (t: T) => number | undefined;
  /** Reads the target and records what it shows (a read that throws is counted in pollErrors). */
  read: (t: T) => Promise<void>;
}

export interface Pollers {
  /** Waits up to tailMs until resolved() (checked every 50 ms); answers how long it waited. */
  drain(resolved: () => boolean, tailMs: number): Promise<number>;
  /** Stops the readers after their current read. */
  stop(): Promise<{ polls: number; pollErrors: number }>;
}

/** Read again at most every minMs, while something is outstanding. */
export const everyMs =
  <T extends Polled>(minMs: number, outstanding: (t: T) => boolean) =>
  (t: T): number | undefined =>
    outstanding(t) ? t.lastPolled + minMs : undefined;

/**
 * Read again after a fraction of the time since `since` (the change was made),
 * between minMs and maxMs: the latency's resolution stays within that fraction.
 */
export const backingOff =
  <T extends Polled>(o: { minMs: number; maxMs: number; fraction: number }, since: (t: T) => number | undefined) =>
  (t: T): number | undefined => {
    const s = since(t);
    if (s === undefined) return undefined;
    return t.lastPolled === 0 ? s + o.minMs : t.lastPolled + Math.min(o.maxMs, Math.max(o.minMs, (t.lastPolled - s) * o.fraction));
  };

export function startPollers<T extends Polled>(targets: readonly T[], opts: PollerOptions<T>): Pollers {
  let polling = true;
  let polls = 0;
  let pollErrors = 0;
  const poller = async () => {
    while (polling) {
      let next: T | undefined;
      let nextDue = Infinity;
      for (const t of targets) {
        if (t.busy) continue;
        const due = opts.dueAt(t);
        if (due !== undefined && due < nextDue) [next, nextDue] = [t, due];
      }
      if (!next || nextDue > Date.now()) {
        await sleep(5);
        continue;
      }
      next.busy = true;
      next.lastPolled = Date.now();
      polls++;
      await opts.read(next).catch(() => void pollErrors++);
      next.busy = false;
    }
  };
  const running = Promise.all(Array.from({ length: opts.pollers }, poller));
  return {
    async drain(resolved, tailMs) {
      const start = Date.now();
      await waitFor(async () => (resolved() ? true : undefined), tailMs, 50);
      return Date.now() - start;
    },
    async stop() {
      polling = false;
      await running;
      return { polls, pollErrors };
    },
  };
}
