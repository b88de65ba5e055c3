import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { sweeperWorkflow } from '../workflows/sweeper';


/** One sweeper per task queue, so deployments sharing a namespace do not share one. */
export function sweeperScheduleId(taskQueue: string): string {
  return `sweeper-${taskQueue}`;
}

/** Creates the sweeper Schedule, or brings an existing one up to the configured interval. */
export async function ensureSweeperSchedule(client: Client, opts: { taskQueue: string; everySeconds: number; graceSeconds: number }): Promise<void> {
  const scheduleId = sweeperScheduleId(opts.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'sweeperWorkflow',
    args: [{ graceSeconds: opts.graceSeconds }] as Parameters<typeof sweeperWorkflow>,
    taskQueue: opts.taskQueue,
    workflowId: scheduleId,
  };
  const spec = { intervals: [{ every: opts.everySeconds * 1000 }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action, policies }));
  }
}
