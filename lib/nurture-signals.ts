import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { nurtureFanOutWorkflow } from '../workflows/nurture-fan-out';
import type { NurtureSignal } from '../workflows/nurture-messages';
import type { DeliveryTarget } from './deliver-events';
import { newId } from './ids';

/**
 * Tells every person on the stream of a change, in the background: one
 * workflow works through the enrolments page by page, so the request answers
 * at once whatever the stream's size.
 */
export async function tellEnrolments(target: DeliveryTarget, streamId: string, signal: NurtureSignal, seq?: number): Promise<void> {
  try {
    await start(target, streamId, signal, seq);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

async function start(target: DeliveryTarget, streamId: string, signal: NurtureSignal, seq?: number): Promise<void> {
  await target.client.workflow.start<typeof nurtureFanOutWorkflow>('nurtureFanOutWorkflow', {
    // A status change is told once per change (its seq); new content once per edit.
    workflowId: `nurture-fan-out:${streamId}:${signal}:${seq ?? newId('edit')}`,
    taskQueue: target.taskQueue,
    args: [{ streamId, signal, ...(seq !== undefined ? { seq } : {}), offset: 0 }],
    staticSummary: `${signal} to everyone on nurture stream ${streamId}`,
  });
}
