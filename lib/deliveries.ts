import { WorkflowNotFoundError } from '@temporalio/client';
import { claimOf, dispatcherId, laneOf, readyIn, transportOf, type Lane } from '../domain/delivery/lanes';
import { dispatcherQueue, type DispatchSettings } from '../domain/delivery/queues';
import { OutboundMessage } from '../models/outbound-message';
import type { dispatchWorkflow } from '../workflows/dispatch';
import { wakeSignal } from '../workflows/dispatch-messages';
import type { DeliveryTarget } from './deliver-events';
import { insertNew } from './mongo-errors';
import { writeEach } from './each-statement';
import { coalesced } from './coalesced-call';

/** About four hours of retries (30 s doubling, at most 30 min apart) before a message is dead; batches of 50, four at a time. */
export const DEFAULT_DISPATCH: DispatchSettings = { retry: { maximumAttempts: 12, initialIntervalSeconds: 30 }, batchSize: 50, concurrency: 4 };

export type NewMessage = {
  _id: string;
  channel: 'email' | 'sales' | 'crm' | 'audience' | 'webhook';
  type: string;
  accountKey?: string;
  personId?: string;
  marketing?: boolean;
  /** What sent it and which of its steps (a nurture stream and campaign), for its stats. */
  origin?: string;
  step?: string;
  payload: Record<string, unknown>;
};

/** A new message as stored: pending, and ready in its lane when its channel has a delivery. */
export function messageDocument(m: NewMessage, now: Date) {
  const lane = laneOf(m);
  return { ...m, status: 'pending', attempts: [], failures: 0, createdAt: now, updatedAt: now, ...(lane ? { queue: readyIn(lane) } : {}) };
}

/**
 * How a lane's dispatcher works: email as configured; a CRM connection one
 * batch at a time of up to 100 records (HubSpot's batch size; the activity
 * paces itself to the connection's rate); an audience in batches of 1,000.
 * Every lane retries with the configured back-off.
 */
function dispatchOf(target: DeliveryTarget, lane: Lane): DispatchSettings {
  const email = target.dispatch ?? DEFAULT_DISPATCH;
  const transport = transportOf(lane);
  if (transport === 'crm') return { retry: email.retry, batchSize: 100, concurrency: 1 };
  if (transport === 'audience') return { retry: email.retry, batchSize: 1000, concurrency: 1 };
  return email;
}

async function signalDispatcher(target: DeliveryTarget, lane: Lane): Promise<void> {
  await target.client.workflow.signalWithStart<typeof dispatchWorkflow>('dispatchWorkflow', {
    workflowId: dispatcherId(lane),
    taskQueue: dispatcherQueue(target.taskQueue),
    args: [{ lane, historyLimit: target.historyLimit, mainQueue: target.taskQueue, ...dispatchOf(target, lane) }],
    signal: wakeSignal,
    staticSummary: `deliver the ${lane} lane`,
  });
}

const wakes = new WeakMap<DeliveryTarget, Map<Lane, () => Promise<void>>>();

/**
 * Wakes a lane's dispatcher, starting it if it is not running: one Temporal
 * call, shared by the wakes of the lane that this process asks for while it
 * is under way (a journey action per event would otherwise signal per event).
 */
export function wakeDispatcher(target: DeliveryTarget, lane: Lane): Promise<void> {
  let lanes = wakes.get(target);
  if (!lanes) wakes.set(target, (lanes = new Map()));
  let wake = lanes.get(lane);
  if (!wake) lanes.set(lane, (wake = coalesced(() => signalDispatcher(target, lane))));
  return wake();
}

/**
 * Records each message before anything is sent (its id is its idempotency key:
 * a message recorded by an earlier attempt stays as it is, wherever it is in
 * its delivery), ready in its lane when its channel has a delivery. Returns
 * how many were new. Recorded only, a message waits for its lane's next wake
 * (the delivery sweeper wakes every lane with open messages each run).
 */
export async function recordMessages(messages: NewMessage[]): Promise<number> {
  if (!messages.length) return 0;
  const now = new Date();
  const isNew = await insertNew(
    (docs) => OutboundMessage.insertMany(docs, { ordered: false }),
    messages.map((m) => messageDocument(m, now)),
  );
  return isNew.filter(Boolean).length;
}

/** Records the messages and wakes the dispatchers of their lanes. Returns how many were new. */
export async function recordAndDeliver(target: DeliveryTarget, messages: NewMessage[]): Promise<number> {
  const added = await recordMessages(messages);
  const lanes = new Set(messages.map(laneOf).filter((l): l is Lane => l !== undefined));
  for (const lane of lanes) await wakeDispatcher(target, lane);
  return added;
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
    const open = (await Promise.all(['pending', 'deferred', 'failed'].map((status) => OutboundMessage.find({ status }, { channel: 1, payload: 1, queue: 1, createdAt: 1, updatedAt: 1 }).lean()))).flat();
    const queueless = open.filter((m) => !m.queue && laneOf(m) && (m.updatedAt ?? m.createdAt).getTime() < cutoff);
    const ready = [...queueless.map((m) => ({ id: m._id, lane: laneOf(m)!, from: undefined })), ...(await abandonedClaims(target, open))];
    // A queueless message is in no lane, so nothing else moves it; a claimed one moves only if its claim still holds it.
    await writeEach(ready, (r) => OutboundMessage.updateOne(r.from ? { _id: r.id, queue: r.from } : { _id: r.id }, { $set: { queue: readyIn(r.lane) } }));
    for (const lane of new Set(open.map(laneOf).filter((l): l is Lane => l !== undefined))) await wakeDispatcher(target, lane);
    return { started: ready.length };
  };
}

async function abandonedClaims(target: DeliveryTarget, open: { _id: string; queue?: string | null }[]) {
  const claimed = open.flatMap((m) => {
    const claim = m.queue ? claimOf(m.queue) : undefined;
    return claim ? [{ id: m._id, ...claim, from: m.queue! }] : [];
  });
  const ended = new Map<string, boolean>();
  for (const c of claimed) if (!ended.has(c.runId)) ended.set(c.runId, await dispatcherRunEnded(target, c.lane, c.runId));
  return claimed.filter((c) => ended.get(c.runId));
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
