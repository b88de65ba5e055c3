// When every account's workflow has been asked and has evaluated its group
// again: the set-up job is done and neither the main queue's workflow tasks
// (the refresh signals) nor the background queue's activity tasks (the
// evaluations) wait, for three polls in a row. The server's counts are
// approximate and leave out the few evaluations running, so this is within a
// second or two, not exact.
import { backgroundQueue } from '../../domain/background-queue';
import { taskQueueStats } from '../../lib/task-queue-stats';
import { sleep, within } from '../scenario';
import type { BenchStack } from '../stack';

const POLL_MS = 1000;
const QUIET_POLLS = 3;

async function waiting(stack: BenchStack): Promise<number | null> {
  const queues = await within(
    Promise.all([taskQueueStats(stack.client, stack.config.TASK_QUEUE, 'workflow'), taskQueueStats(stack.client, backgroundQueue(stack.config.TASK_QUEUE), 'activity')]),
    15000,
    'describing the task queues',
  );
  return queues.some((q) => q === null) ? null : queues.reduce((n, q) => n + q!.backlog, 0);
}

/** Ms from `since` until the queues stay empty (the first of the quiet polls), or null when the server reports no counts or `maxMs` passed. */
export async function queuesQuietAfter(stack: BenchStack, since: number, maxMs: number): Promise<number | null> {
  let quiet = 0;
  let quietSince = 0;
  while (Date.now() - since < maxMs) {
    const n = await waiting(stack);
    if (n === null) return null;
    if (n === 0) {
      if (quiet++ === 0) quietSince = Date.now();
      if (quiet >= QUIET_POLLS) return quietSince - since;
    } else quiet = 0;
    await sleep(POLL_MS);
  }
  return null;
}
