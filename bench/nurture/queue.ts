// The main task queue as the Temporal server sees it: workflow and activity
// tasks waiting for the worker (approximate backlog and its age) and the rates
// they are added and handed out. A backlog of workflow tasks is work the worker
// cannot keep up with; a task that waits in it (the email lane's dispatcher
// lives on this queue too) waits its turn behind all of them.
import { sleep, within } from '../scenario';
import type { BenchStack } from '../stack';
import { round } from '../stats';

const WORKFLOW = 1;
const ACTIVITY = 2;

export interface QueueStats {
  backlog: number;
  backlogAgeS: number;
  addedPerSecond: number;
  dispatchedPerSecond: number;
}

async function stats(stack: BenchStack, taskQueueType: number): Promise<QueueStats | null> {
  try {
    const res = await within(
      stack.client.workflowService.describeTaskQueue({ namespace: stack.config.TEMPORAL_NAMESPACE, taskQueue: { name: stack.config.TASK_QUEUE, kind: 1 }, taskQueueType, reportStats: true }),
      15000,
      'describing the task queue',
    );
    const s = res.stats;
    if (!s) return null;
    const age = s.approximateBacklogAge;
    return {
      backlog: Number(s.approximateBacklogCount ?? 0),
      backlogAgeS: round(Number(age?.seconds ?? 0) + (age?.nanos ?? 0) / 1e9),
      addedPerSecond: round(s.tasksAddRate ?? 0),
      dispatchedPerSecond: round(s.tasksDispatchRate ?? 0),
    };
  } catch {
    // An older server without task queue stats: the figures go without them.
    return null;
  }
}

export async function mainQueue(stack: BenchStack) {
  return { at: new Date().toISOString(), workflowTasks: await stats(stack, WORKFLOW), activityTasks: await stats(stack, ACTIVITY) };
}

/** Until the main queue's workflow tasks are handed out (down to `left`), at most `maxMs`: how long it waited and the queue then. */
export async function queueDrained(stack: BenchStack, opts: { left: number; maxMs: number }) {
  const start = Date.now();
  let queue = await mainQueue(stack);
  while ((queue.workflowTasks?.backlog ?? 0) > opts.left && Date.now() - start < opts.maxMs) {
    await sleep(5000);
    queue = await mainQueue(stack);
  }
  return { waitedMs: Date.now() - start, queue };
}
