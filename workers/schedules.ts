import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { segmentRefreshWorkflow } from '../workflows/segments';
import type { sweeperWorkflow } from '../workflows/sweeper';
import type { deliverySweeperWorkflow } from '../workflows/delivery-sweeper';

/** One sweeper per task queue, so deployments sharing a namespace do not share one. */
export function sweeperScheduleId(taskQueue: string): string {
  return `sweeper-${taskQueue}`;
}

interface ScheduleAction {
  workflowType: string;
  args: unknown[];
}

/** Creates a Schedule, or brings an existing one up to the configured interval and action. */
async function ensureSchedule(client: Client, scheduleId: string, taskQueue: string, everySeconds: number, what: ScheduleAction): Promise<void> {
  const action = { type: 'startWorkflow' as const, workflowType: what.workflowType, args: what.args, taskQueue, workflowId: scheduleId };
  const spec = { intervals: [{ every: everySeconds * 1000 }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action, policies }));
  }
}

export async function ensureSweeperSchedule(client: Client, opts: { taskQueue: string; everySeconds: number; graceSeconds: number }): Promise<void> {
  const args: Parameters<typeof sweeperWorkflow> = [{ graceSeconds: opts.graceSeconds }];
  await ensureSchedule(client, sweeperScheduleId(opts.taskQueue), opts.taskQueue, opts.everySeconds, { workflowType: 'sweeperWorkflow', args });
}

export function segmentRefreshScheduleId(taskQueue: string): string {
  return `segments-refresh-${taskQueue}`;
}

/** The safety net under event-driven membership: everyone re-evaluated on a fixed rhythm, counts in the run history. */
export async function ensureSegmentRefreshSchedule(client: Client, opts: { taskQueue: string; everySeconds: number }): Promise<void> {
  const args: Parameters<typeof segmentRefreshWorkflow> = [{ revision: 0 }];
  await ensureSchedule(client, segmentRefreshScheduleId(opts.taskQueue), opts.taskQueue, opts.everySeconds, { workflowType: 'segmentRefreshWorkflow', args });
}

export function deliverySweeperScheduleId(taskQueue: string): string {
  return `deliveries-sweeper-${taskQueue}`;
}

/** Recorded messages whose delivery never started are started on this rhythm. */
export async function ensureDeliverySweeperSchedule(client: Client, opts: { taskQueue: string; everySeconds: number; graceSeconds: number }): Promise<void> {
  const args: Parameters<typeof deliverySweeperWorkflow> = [{ graceSeconds: opts.graceSeconds }];
  await ensureSchedule(client, deliverySweeperScheduleId(opts.taskQueue), opts.taskQueue, opts.everySeconds, { workflowType: 'deliverySweeperWorkflow', args });
}
