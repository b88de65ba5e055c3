// A phase's work (a launch, a stop) beside a count of instances polled until it
// reaches what the work promises: instances waiting, or none waiting any more.
import { JourneyInstance } from '../../models/journey';
import { ScenarioContext, waitForProgress } from '../scenario';
import type { BenchStack, WorkerProcessStack } from '../stack';
import { mb } from '../memory';

const COUNT_POLL_MS = 2000;
/** No progress for this long means the engine is stuck, not slow. */
const STALL_MS = 120000;
/** Work on n instances that still moves is followed this long: at least 3 a second (a busy 2-core machine records ~7/s). */
export const boundMs = (n: number) => 300000 + n * 300;

export const waitingCount = (journeyId: string) => JourneyInstance.countDocuments({ journeyId, status: 'waiting' });

export interface Settled {
  start: number;
  /** Start → the work resolved (requests answered and jobs finished, or in-process calls returned). */
  workMs: number;
  workError: string | null;
  /** Start → the count reached `expected` (read every COUNT_POLL_MS), null if it never did. */
  countedMs: number | null;
  count: number;
  /** This process's peak rss over the phase (with the worker in it, the worker's too). */
  peakRssMB: number;
  /** Null when the worker runs in its own process (its cache is not visible from here). */
  peakCachedWorkflows: number | null;
}

/** This process's rss, and the worker's cache or the worker process's rss, for the progress line. */
function memoryLine(stack: BenchStack | WorkerProcessStack): string {
  const own = `rss ${mb(process.memoryUsage().rss)} MB`;
  return stack.worker ? `${own}, ${stack.worker.getStatus().numCachedWorkflows} cached` : `${own}, worker process rss ${stack.workerProcess.rssMb() ?? '-'} MB`;
}

export async function settle(
  stack: BenchStack | WorkerProcessStack,
  what: string,
  log: ScenarioContext['log'],
  count: () => Promise<number>,
  expected: number,
  work: () => Promise<unknown>,
): Promise<Settled> {
  let peakRss = 0;
  let peakCached: number | null = stack.worker ? 0 : null;
  let lastLogged = 0;
  const start = Date.now();
  let workMs = -1;
  let workError: string | null = null;
  const working = work().then(
    () => void (workMs = Date.now() - start),
    (err: Error) => void (workError = err.message.slice(0, 300)),
  );
  const settled = await waitForProgress(
    async () => {
      const n = await count();
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (stack.worker) peakCached = Math.max(peakCached ?? 0, stack.worker.getStatus().numCachedWorkflows);
      if (Date.now() - lastLogged > 10000 || n >= expected) {
        lastLogged = Date.now();
        log(`journeys: ${what}: ${n}/${expected} after ${((Date.now() - start) / 1000).toFixed(1)} s${workMs >= 0 ? ` (work done in ${(workMs / 1000).toFixed(1)} s)` : ''}, ${memoryLine(stack)}`);
      }
      return n;
    },
    (n) => n >= expected,
    { stallMs: STALL_MS, maxMs: boundMs(expected), everyMs: COUNT_POLL_MS },
  );
  const countedMs = settled.done ? Date.now() - start : null;
  // The work is bounded by the API's request timeout and the job's stall limit.
  await working;
  if (workError) log(`journeys: ${what}: ${workError}`);
  return { start, workMs, workError, countedMs, count: settled.value, peakRssMB: mb(peakRss), peakCachedWorkflows: peakCached };
}
