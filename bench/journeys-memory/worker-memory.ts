// The worker process's memory at a checkpoint: its resident set at once, its
// peak so far, and its resident set again after a few idle seconds (what the
// open journeys hold, once the work that brought them there is over).
import { sleep } from '../scenario';
import type { WorkerProcessStack } from '../stack';
import { mb } from '../memory';

/** Long enough for the last activities and workflow tasks of a launch to end and a GC or two to run. */
export const IDLE_MS = 15000;

export interface WorkerMemory {
  rssMB: number | null;
  /** VmHWM: the highest resident set since the worker process started. */
  peakRssMB: number | null;
  rssAfterIdleMB: number | null;
  /** The bench process (API, Temporal client, load generator) at the same time, for comparison with the one-process runs. */
  benchProcessRssMB: number;
}

export async function workerMemory(stack: WorkerProcessStack): Promise<WorkerMemory> {
  const w = stack.workerProcess;
  const rssMB = w.rssMb();
  const peakRssMB = w.peakRssMb();
  await sleep(IDLE_MS);
  return { rssMB, peakRssMB, rssAfterIdleMB: w.rssMb(), benchProcessRssMB: mb(process.memoryUsage().rss) };
}
