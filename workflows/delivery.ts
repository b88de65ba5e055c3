import { ActivityFailure, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeliveryOutcome } from '../domain/delivery/message';
import { channelQueue, DeliveryRetry } from '../domain/delivery/queues';

export interface DeliveryInput {
  messageId: string;
  retry: DeliveryRetry;
}

export function deliveryWorkflowId(messageId: string): string {
  return `delivery:${messageId}`;
}

// Recording a dead message touches only our database: retried until it succeeds.
const { markDead } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '1 minute' } });

/**
 * One outbound message, from its record to sent, suppressed or dead: each
 * attempt checks consent, suppressions, caps and the send window at that
 * moment; a deferred message sleeps until its time and tries again; transient
 * errors are retried with back-off on the channel's rate-limited queue; a
 * permanent error or spent retries make it dead (a re-drive starts it anew).
 */
export async function deliveryWorkflow(input: DeliveryInput): Promise<DeliveryOutcome> {
  const { deliverEmail } = proxyActivities<Activities>({
    taskQueue: channelQueue(workflowInfo().taskQueue, 'email'),
    // Longer than the mailer's own timeouts (lib/mailer): an attempt ends there first.
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: `${input.retry.initialIntervalSeconds} seconds`, backoffCoefficient: 2, maximumInterval: '30 minutes', maximumAttempts: input.retry.maximumAttempts },
  });
  for (;;) {
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliverEmail({ messageId: input.messageId });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return markDead({ messageId: input.messageId, reason: err.cause?.message ?? err.message });
    }
    if (outcome.status !== 'deferred') return outcome;
    await sleep(Math.max(1, Date.parse(outcome.scheduledFor) - Date.now()));
  }
}
