// The main task queue as the Temporal server sees it: workflow and activity
// tasks waiting for the worker (approximate backlog and its age) and the rates
// they are added and handed out. A backlog of workflow tasks is work the worker
// cannot keep up with; a task that waits in it (the email lane's dispatcher
// lives on this queue too) waits its turn behind all of them.
import { sleep, within } from '../scenario';
import type { BenchStack } from '../stack';
import { round } from '../stats';
import { taskQueueStats, type TaskKind, type TaskQueueStats } from '../../lib/task-queue-stats';

async function stats(stack: BenchStack, kind: TaskKind): Promise<TaskQueueStats | null> {
  try {
    const s = await within(taskQueueStats(stack.client, stack.config.TASK_QUEUE, kind), 15000, 'describing the task queue');
    return s && { backlog: s.backlog, backlogAgeS: round(s.backlogAgeS), addedPerSecond: round(s.addedPerSecond), dispatchedPerSecond: round(s.dispatchedPerSecond) };
  } catch {
    // An older server without task queue stats: the figures go without them.
    return null;
  }
}

export async function mainQueue(stack: BenchStack) {
  return { at: new Date().toISOString(), workflowTasks: await stats(stack, 'workflow'), activityTasks: await stats(stack, 'activity') };
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
