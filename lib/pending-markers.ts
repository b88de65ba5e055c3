import type { EntityRef } from '../domain/routing';
import { entityWorkflowId } from '../domain/routing';
import { PendingEvent } from '../models/pending-event';
import { op } from './query';

/*
 * A pending marker is an event stored and not yet applied by its entity
 * workflow. Markers are cleared a batch at a time by one statement: the
 * equality on the (indexed) workflowId is what the embedded database pushes
 * down, so `$in` is then checked only over that workflow's few markers
 * (a batch of 10 in 8-18 ms, against 140 ms one by one; `$in` alone decodes
 * the whole collection, 3 s at 20K markers).
 */

/** The markers of these events, held for this workflow: applied, or never needed. */
export async function clearPending(workflowId: string, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length) await PendingEvent.deleteMany({ workflowId, _id: op({ $in: [...eventIds] }) });
}

/** A person entity hands its events to the account that now owns the person: their markers follow, so a re-send goes there. */
export async function handOverPending(from: EntityRef, to: EntityRef, eventIds: readonly string[]): Promise<void> {
  if (!eventIds.length) return;
  await PendingEvent.updateMany({ workflowId: entityWorkflowId(from), _id: op({ $in: [...eventIds] }) }, { $set: { workflowId: entityWorkflowId(to), entity: to } });
}
