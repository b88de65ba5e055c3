import { nextRetryAt } from '../domain/delivery/backoff';
import { claimIn, laterIn, readyIn, type Lane } from '../domain/delivery/lanes';
import type { AttemptResult } from '../domain/delivery/message';
import type { DeliveryRetry } from '../domain/delivery/queues';
import { OutboundMessage } from '../models/outbound-message';
import { writeEach } from './each-statement';

/**
 * A lane's queue in the outbound_messages collection, worked by its one
 * dispatcher workflow: claims take ready messages in batches, each result
 * settles one message (final, or later with its time), and due ones are made
 * ready again. Every read is a top-level equality on `queue`.
 */

/**
 * The messages a claim holds: those it took before (a retried claim takes
 * nothing new, so a crash between claiming and sending loses nothing), else up
 * to `limit` ready ones, each taken by its own conditional write.
 */
export async function claimMessages(lane: Lane, claimId: string, limit: number): Promise<number> {
  const queue = claimIn(lane, claimId);
  const held = await OutboundMessage.find({ queue }, { _id: 1 }).lean();
  if (held.length) return held.length;
  const ready = await OutboundMessage.find({ queue: readyIn(lane) }, { _id: 1 }).limit(limit).lean();
  let taken = 0;
  await writeEach(ready, async (m) => {
    taken += (await OutboundMessage.updateOne({ _id: m._id, queue: readyIn(lane) }, { $set: { queue } })).modifiedCount;
  });
  return taken;
}

/** Messages waiting for their time whose time has come are ready again; returns when the next one is due. */
export async function releaseDue(lane: Lane, now: number): Promise<number | undefined> {
  const later = await OutboundMessage.find({ queue: laterIn(lane) }, { scheduledFor: 1 }).lean();
  const due = later.filter((m) => (m.scheduledFor?.getTime() ?? 0) <= now);
  await writeEach(due, (m) => OutboundMessage.updateOne({ _id: m._id, queue: laterIn(lane) }, { $set: { queue: readyIn(lane) } }));
  const next = later.map((m) => m.scheduledFor?.getTime() ?? 0).filter((t) => t > now);
  return next.length ? Math.min(...next) : undefined;
}

/**
 * Records one attempt's result on its message: a final status leaves the
 * queue; a deferral, or a transient failure with attempts left, waits in the
 * lane's later queue until its time; a permanent failure or spent retries make
 * it dead. Returns when it is due again, if it is.
 */
export async function settleMessage(
  lane: Lane,
  m: { _id: string; failures?: number | null },
  result: AttemptResult,
  retry: DeliveryRetry,
  extra: Record<string, unknown> = {},
): Promise<number | undefined> {
  const now = new Date();
  const set: Record<string, unknown> = { updatedAt: now, ...extra };
  let dueAt: number | undefined;
  let attempt: { at: Date; ok: boolean; error?: string } | undefined;
  switch (result.status) {
    case 'sent':
      Object.assign(set, { status: 'sent', sentAt: now, providerId: result.providerId });
      attempt = { at: now, ok: true };
      break;
    case 'suppressed':
    case 'dead':
      Object.assign(set, { status: result.status, reason: result.reason });
      break;
    case 'deferred':
      dueAt = Date.parse(result.scheduledFor);
      Object.assign(set, { status: 'deferred', reason: result.reason, scheduledFor: new Date(dueAt), deferredAt: now });
      break;
    case 'failed': {
      const failures = (m.failures ?? 0) + 1;
      const backoff = result.permanent ? undefined : nextRetryAt(failures, retry, now.getTime());
      // Not before the destination said it would take more (Retry-After).
      dueAt = backoff === undefined ? undefined : Math.max(backoff, now.getTime() + (result.retryAfterMs ?? 0));
      Object.assign(set, { status: dueAt === undefined ? 'dead' : 'failed', reason: result.error, failures });
      if (dueAt !== undefined) set.scheduledFor = new Date(dueAt);
      attempt = { at: now, ok: false, error: result.error };
      break;
    }
  }
  const queue = dueAt === undefined ? { $unset: { queue: 1 } } : {};
  if (dueAt !== undefined) set.queue = laterIn(lane);
  await OutboundMessage.updateOne({ _id: m._id }, { $set: set, ...queue, ...(attempt ? { $push: { attempts: attempt } } : {}) });
  return dueAt;
}
