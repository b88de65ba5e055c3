import { WorkflowNotFoundError } from '@temporalio/client';
import { DELIVERED_LANES, dispatcherId, isClaim, laneOf, readyIn, type Lane } from '../domain/delivery/lanes';
import type { DispatchSettings } from '../domain/delivery/queues';
import { OutboundMessage } from '../models/outbound-message';
import type { dispatchWorkflow } from '../workflows/dispatch';
import { wakeSignal } from '../workflows/dispatch-messages';
import type { DeliveryTarget } from './deliver-events';
import { insertNew } from './mongo-errors';
import { writeEach } from './each-statement';

/** About four hours of retries (30 s doubling, at most 30 min apart) before a message is dead; batches of 50, four at a time. */
export const DEFAULT_DISPATCH: DispatchSettings = { retry: { maximumAttempts: 12, initialIntervalSeconds: 30 }, batchSize: 50, concurrency: 4 };

export type NewMessage = { _id: string; channel: 'email' | 'sales' | 'crm' | 'audience' | 'webhook'; type: string; accountKey?: string; personId?: string; marketing?: boolean; payload: Record<string, unknown> };

/** A new message as stored: pending, and ready in its lane when its channel has a delivery. */
export function messageDocument(m: NewMessage, now: Date) {
  const lane = laneOf(m.channel);
  return { ...m, status: 'pending', attempts: [], failures: 0, createdAt: now, updatedAt: now, ...(lane ? { queue: readyIn(lane) } : {}) };
}

/** Wakes a lane's dispatcher, starting it if it is not running: one Temporal call. */
export async function wakeDispatcher(target: DeliveryTarget, lane: Lane): Promise<void> {
  await target.client.workflow.signalWithStart<typeof dispatchWorkflow>('dispatchWorkflow', {
    workflowId: dispatcherId(lane),
    taskQueue: target.taskQueue,
    args: [{ lane, historyLimit: target.historyLimit, ...(target.dispatch ?? DEFAULT_DISPATCH) }],
    signal: wakeSignal,
    staticSummary: `deliver the ${lane} lane`,
  });
}

/**
 * Records each message before anything is sent (its id is its idempotency key:
 * a message recorded by an earlier attempt stays as it is, wherever it is in
 * its delivery), ready in its lane when its channel has a delivery, and wakes
 * the dispatchers of those lanes. Returns how many were new.
 */
export async function recordAndDeliver(target: DeliveryTarget, messages: NewMessage[]): Promise<number> {
  const now = new Date();
  const isNew = await insertNew(
    (docs) => OutboundMessage.insertMany(docs, { ordered: false }),
    messages.map((m) => messageDocument(m, now)),
  );
  const lanes = new Set(messages.map((m) => laneOf(m.channel)).filter((l): l is Lane => l !== undefined));
  for (const lane of lanes) await wakeDispatcher(target, lane);
  return isNew.filter(Boolean).length;
}

/** A dead message of a delivered channel is ready again, its attempts counted from zero, under the same id. */
export async function redrive(target: DeliveryTarget, messageId: string, lane: Lane): Promise<boolean> {
  const res = await OutboundMessage.updateOne({ _id: messageId, status: 'dead' }, { $set: { status: 'pending', failures: 0, queue: readyIn(lane), updatedAt: new Date() }, $unset: { reason: 1 } });
  if (res.modifiedCount === 0) return false;
  await wakeDispatcher(target, lane);
  return true;
}

/**
 * Run by the delivery sweeper's Schedule: pending messages of delivered
 * channels that are in no queue (recorded before lanes existed) become ready;
 * a claim whose dispatcher run has ended (terminated, say) gives its messages
 * back; and every lane's dispatcher is woken, so one that was stopped starts
 * again and picks up what is due.
 */
export function makeStartPendingDeliveries(target: DeliveryTarget) {
  return async function startPendingDeliveries(input: { graceSeconds: number }): Promise<{ started: number }> {
    const cutoff = Date.now() - input.graceSeconds * 1000;
    const open = (await Promise.all(['pending', 'deferred', 'failed'].map((status) => OutboundMessage.find({ status }, { channel: 1, queue: 1, createdAt: 1, updatedAt: 1 }).lean()))).flat();
    const queueless = open.filter((m) => !m.queue && laneOf(m.channel) && (m.updatedAt ?? m.createdAt).getTime() < cutoff);
    const abandoned = await abandonedClaims(target, open);
    const ready = [...queueless.map((m) => ({ id: m._id, lane: laneOf(m.channel)!, from: undefined })), ...abandoned];
    // A queueless message is in no lane, so nothing else moves it; a claimed one moves only if its claim still holds it.
    await writeEach(ready, (r) => OutboundMessage.updateOne(r.from ? { _id: r.id, queue: r.from } : { _id: r.id }, { $set: { queue: readyIn(r.lane) } }));
    for (const lane of DELIVERED_LANES) await wakeDispatcher(target, lane);
    return { started: ready.length };
  };
}

async function abandonedClaims(target: DeliveryTarget, open: { _id: string; channel: string; queue?: string | null }[]) {
  const claimed = open.flatMap((m) => {
    const lane = laneOf(m.channel);
    return lane && m.queue && isClaim(lane, m.queue) ? [{ id: m._id, lane, from: m.queue }] : [];
  });
  const runs = new Map<string, boolean>();
  for (const c of claimed) {
    const runId = c.from.split(':')[2];
    if (!runs.has(runId)) runs.set(runId, await dispatcherRunEnded(target, c.lane, runId));
  }
  return claimed.filter((c) => runs.get(c.from.split(':')[2]));
}

async function dispatcherRunEnded(target: DeliveryTarget, lane: Lane, runId: string): Promise<boolean> {
  try {
    return (await target.client.workflow.getHandle(dispatcherId(lane), runId).describe()).status.name !== 'RUNNING';
  } catch (err) {
    // Only a run the server no longer knows is certainly over; any other error leaves the claim where it is.
    if (err instanceof WorkflowNotFoundError) return true;
    throw err;
  }
}
