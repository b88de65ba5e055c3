import { Client, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { runsOnSchedule, type TransferStatus } from '../domain/lead-transfers/status';
import type { leadTransferRunWorkflow } from '../workflows/lead-transfer';
import { leadTransferRunWorkflowId } from '../workflows/lead-transfer-messages';

export const leadTransferScheduleId = (transferId: string) => `lead-transfer:${transferId}`;

interface ScheduledTransfer {
  _id: string;
  name: string;
  everySeconds: number;
  status: TransferStatus;
}

/**
 * Brings the transfer's Schedule in line with it: none once stopped, else
 * one firing every `everySeconds`, paused unless the transfer is active.
 * Overlaps are skipped, so two runs of one transfer never compare leads at
 * the same time. Idempotent: every change of a transfer ends here.
 */
export async function syncTransferSchedule(client: Client, taskQueue: string, transfer: ScheduledTransfer): Promise<void> {
  const scheduleId = leadTransferScheduleId(transfer._id);
  const handle = client.schedule.getHandle(scheduleId);
  if (transfer.status === 'stopped') {
    await handle.delete().catch((err) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
    return;
  }
  const args: Parameters<typeof leadTransferRunWorkflow> = [{ transferId: transfer._id }];
  const action = { type: 'startWorkflow' as const, workflowType: 'leadTransferRunWorkflow', args, taskQueue, workflowId: leadTransferRunWorkflowId(transfer._id) };
  const spec = { intervals: [{ every: transfer.everySeconds * 1000 }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  const state = { paused: !runsOnSchedule(transfer.status), note: `lead transfer '${transfer.name}' is ${transfer.status}` };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, state });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await handle.update((prev) => ({ ...prev, spec, action, policies, state: { ...prev.state, ...state } }));
  }
}

/**
 * One run now, through the Schedule so that it is skipped rather than
 * overlapping a run in progress; it works while paused too. A Schedule that
 * is missing (its creation failed after the transfer was saved) is made first.
 */
export async function triggerTransferRun(client: Client, taskQueue: string, transfer: ScheduledTransfer): Promise<void> {
  const trigger = () => client.schedule.getHandle(leadTransferScheduleId(transfer._id)).trigger(ScheduleOverlapPolicy.SKIP);
  try {
    await trigger();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await syncTransferSchedule(client, taskQueue, transfer);
    await trigger();
  }
}
