import type { AnyBulkWriteOperation } from 'mongoose';
import { ActivityDelta, activityDeltas } from '../domain/activity-counters';
import type { AccountEvent } from '../domain/events';
import type { EntityRef } from '../domain/routing';
import { isDuplicateKey } from '../lib/mongo-errors';
import { Account } from '../models/account';
import { PendingEvent } from '../models/pending-event';
import { Person } from '../models/person';
import { op } from '../lib/query';

export interface ApplyEventsInput {
  entity: EntityRef;
  /** Stable across retries of this call: a document that already has it is skipped. */
  batchId: string;
  events: AccountEvent[];
}

function counterUpdate(delta: ActivityDelta, batchId: string) {
  const inc: Record<string, number> = { 'activity.total': delta.total };
  for (const [type, n] of Object.entries(delta.byType)) inc[`activity.byType.${type}`] = n;
  return { $inc: inc, $max: { lastActivityAt: new Date(delta.lastActivityAt) }, $set: { lastBatchId: batchId } };
}

/** Filter that matches a document only if this batch has not been applied to it. */
function notYetApplied(id: string, batchId: string) {
  return { _id: id, lastBatchId: op({ $ne: batchId }) };
}

/**
 * Applies one batch to the people's and the account's activity counters. Each
 * document is updated at most once per batch (its lastBatchId), so a retry after
 * a partial write completes the batch without counting anything twice.
 */
export async function applyEvents(input: ApplyEventsInput): Promise<{ applied: number }> {
  const { total, perPerson } = activityDeltas(input.events);
  const personOps: AnyBulkWriteOperation[] = [...perPerson].map(([personId, delta]) => ({
    updateOne: { filter: notYetApplied(personId, input.batchId), update: counterUpdate(delta, input.batchId) },
  }));
  if (personOps.length) await Person.bulkWrite(personOps, { ordered: false });
  if (total && input.entity.kind === 'account') {
    const key = input.entity.accountKey;
    // An event may name an account nobody described yet: it starts as a placeholder.
    const update = { ...counterUpdate(total, input.batchId), $setOnInsert: { name: key } };
    try {
      await Account.updateOne(notYetApplied(key, input.batchId), update, { upsert: true });
    } catch (err) {
      // The upsert collides only with an account that already has this batch.
      if (!isDuplicateKey(err)) throw err;
    }
  }
  await PendingEvent.deleteMany({ _id: op({ $in: input.events.map((e) => e.eventId) }) });
  return { applied: input.events.length };
}
