import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { sweeperWorkflow } from '../workflows/sweeper';

export const SWEEPER_SCHEDULE_ID = 'sweeper';

/** Creates the sweeper Schedule, or brings an existing one up to the configured interval. */
export async function ensureSweeperSchedule(client: Client, opts: { taskQueue: string; everySeconds: number; graceSeconds: number }): Promise<void> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'sweeperWorkflow',
    args: [{ graceSeconds: opts.graceSeconds }] as Parameters<typeof sweeperWorkflow>,
    taskQueue: opts.taskQueue,
    workflowId: 'sweeper',
  };
  const spec = { intervals: [{ every: opts.everySeconds * 1000 }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({ scheduleId: SWEEPER_SCHEDULE_ID, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(SWEEPER_SCHEDULE_ID).update((prev) => ({ ...prev, spec, action, policies }));
  }
}
