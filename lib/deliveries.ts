import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { DeliveryRetry } from '../domain/delivery/queues';
import { OutboundMessage } from '../models/outbound-message';
import { deliveryWorkflowId } from '../workflows/delivery';
import type { deliveryWorkflow } from '../workflows/delivery';
import type { DeliveryTarget } from './deliver-events';
import { insertNew } from './mongo-errors';
import { writeEach } from './each-statement';

/** About four hours of retries (30 s doubling, at most 30 min apart) before a message is dead. */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetry = { maximumAttempts: 12, initialIntervalSeconds: 30 };

export type NewMessage = { _id: string; channel: 'email' | 'sales' | 'crm' | 'audience' | 'webhook'; type: string; accountKey?: string; personId?: string; marketing?: boolean; payload: Record<string, unknown> };

/** Channels delivered today; the others are recorded and wait, as queued, for their adapters. */
export const DELIVERED: ReadonlySet<string> = new Set(['email', 'sales']);

/**
 * Starts the delivery of a recorded message: a second start while one runs
 * changes nothing. `again` also starts one after an earlier delivery ended (a
 * re-drive, a sweep): its activity sends nothing for a message already final.
 */
export async function startDelivery(target: DeliveryTarget, messageId: string, again = false): Promise<void> {
  try {
    await target.client.workflow.start<typeof deliveryWorkflow>('deliveryWorkflow', {
      workflowId: deliveryWorkflowId(messageId),
      taskQueue: target.taskQueue,
      args: [{ messageId, retry: target.deliveryRetry ?? DEFAULT_DELIVERY_RETRY }],
      workflowIdReusePolicy: again ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `deliver ${messageId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * Records each message before anything is sent (its id is its idempotency key:
 * a message recorded by an earlier attempt stays as it is) and starts the
 * delivery of those on a delivered channel. Returns how many were new.
 */
export async function recordAndDeliver(target: DeliveryTarget, messages: NewMessage[]): Promise<number> {
  const now = new Date();
  const isNew = await insertNew(
    (docs) => OutboundMessage.insertMany(docs, { ordered: false }),
    messages.map((m) => ({ ...m, status: 'pending', attempts: [], createdAt: now, updatedAt: now })),
  );
  await writeEach(
    messages.filter((m) => DELIVERED.has(m.channel)),
    (m) => startDelivery(target, m._id),
  );
  return isNew.filter(Boolean).length;
}

/** Pending messages of delivered channels older than the grace period: their delivery (re)starts. */
export function makeStartPendingDeliveries(target: DeliveryTarget) {
  return async function startPendingDeliveries(input: { graceSeconds: number }): Promise<{ started: number }> {
    const cutoff = Date.now() - input.graceSeconds * 1000;
    const stale = (await OutboundMessage.find({ status: 'pending' }, { channel: 1, createdAt: 1, updatedAt: 1 }).lean()).filter(
      (m) => DELIVERED.has(m.channel) && (m.updatedAt ?? m.createdAt).getTime() < cutoff,
    );
    await writeEach(stale, (m) => startDelivery(target, m._id, true));
    return { started: stale.length };
  };
}
