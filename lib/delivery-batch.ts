import { Context } from '@temporalio/activity';
import { claimIn, type Lane } from '../domain/delivery/lanes';
import { FINAL, type AttemptResult, type DeliveryStatus } from '../domain/delivery/message';
import type { DeliveryRetry } from '../domain/delivery/queues';
import { OutboundMessage } from '../models/outbound-message';
import { settleMessage } from './delivery-queue';
import { writeEach } from './each-statement';

export type ClaimedMessage = { _id: string; channel: string; type: string; status: DeliveryStatus; personId?: string | null; accountKey?: string | null; payload: Record<string, unknown>; failures?: number | null };

/**
 * The messages a batch activity holds: those of its claim not final yet (one
 * suppressed by an unsubscribe after it was claimed only leaves the queue).
 */
export async function claimedMessages(lane: Lane, claimId: string): Promise<ClaimedMessage[]> {
  const held = (await OutboundMessage.find({ queue: claimIn(lane, claimId) }).lean()) as ClaimedMessage[];
  await writeEach(held.filter((m) => FINAL.has(m.status)), (m) => OutboundMessage.updateOne({ _id: m._id }, { $unset: { queue: 1 } }));
  return held.filter((m) => !FINAL.has(m.status));
}

/** Settles the results of a batch's messages, each right after it is known, and says when the earliest put-off one is due. */
export function batchSettler(lane: Lane, retry: DeliveryRetry) {
  const due: number[] = [];
  return {
    async settle(m: ClaimedMessage, result: AttemptResult, extra: Record<string, unknown> = {}): Promise<void> {
      await writeEach([m], async () => {
        const at = await settleMessage(lane, m, result, retry, extra);
        if (at !== undefined) due.push(at);
      });
      // Alive: the dispatcher's heartbeat timeout retries a batch only after its worker stopped settling.
      Context.current().heartbeat();
    },
    nextDueAt: () => (due.length ? Math.min(...due) : undefined),
  };
}
