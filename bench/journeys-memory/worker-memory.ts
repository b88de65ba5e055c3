// The worker process's memory at a checkpoint: its resident set at once, its
// peak so far, and its resident set again after a few idle seconds (what the
// open journeys hold, once the work that brought them there is over).
import { sleep } from '../scenario';
import type { WorkerProcessStack } from '../stack';
import type { ThreadHeap } from '../worker-process';
import { mb } from '../memory';

/** Long enough for the last activities and workflow tasks of a launch to end and a GC or two to run. */
export const IDLE_MS = 15000;

export interface WorkerMemory {
  rssMB: number | null;
  /** VmHWM: the highest resident set since the worker process started. */
  peakRssMB: number | null;
  rssAfterIdleMB: number | null;
  /** Each thread's V8 heap at the same two moments: the main thread (activities) and the workflow threads. */
  threadHeaps: ThreadHeap[];
  threadHeapsAfterIdle: ThreadHeap[];
  /** The bench process (API, Temporal client, load generator) at the same time, for comparison with the one-process runs. */
  benchProcessRssMB: number;
}

export async function workerMemory(stack: WorkerProcessStack): Promise<WorkerMemory> {
  const w = stack.workerProcess;
  const rssMB = w.rssMb();
  const peakRssMB = w.peakRssMb();
  const threadHeaps = w.threadHeaps();
  await sleep(IDLE_MS);
  return { rssMB, peakRssMB, rssAfterIdleMB: w.rssMb(), threadHeaps, threadHeapsAfterIdle: w.threadHeaps(), benchProcessRssMB: mb(process.memoryUsage().rss) };
}
