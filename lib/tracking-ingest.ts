import type { AuthContext } from '../api/auth';
import { EntityRef, entityRefFor, entityWorkflowId } from '../domain/routing';
import type { MessageType } from '../domain/tracking/message';
import { Rejection, toOperations, TrackingOp } from '../domain/tracking/operations';
import { DeliveryTarget, requestRefresh } from './deliver-events';
import type { ResolvedPerson } from './identity-store';
import { eventMeanings, IncomingEvent, ingestResolved, refreshAfterMerges } from './ingest-events';
import { applyProfileChanges } from './tracking-effects';
import { resolveInOrder } from './tracking-identity';

export interface TrackingBatch {
  messages: readonly unknown[];
  /** The batch's sentAt (analytics-node sends one per batch). */
  sentAt?: string;
  /** The type a single-message route implies. */
  routeType?: MessageType;
  receivedAt: number;
}

export interface TrackingResult {
  /** Events stored now; duplicates were stored before (a retried batch). */
  accepted: number;
  duplicates: number;
  /** identify, group and alias messages applied. */
  profileChanges: number;
  rejected: Rejection[];
}

type EventOp = Extract<TrackingOp, { kind: 'event' }>;

/** The event's person, on the account a group or context.groupId of this batch linked her to. */
function onLinkedAccount(op: EventOp, person: ResolvedPerson, links: Map<string, string>): ResolvedPerson {
  const linked = links.get(person.personId);
  // Merges were announced once for the batch already.
  return linked && !op.accountKey ? { ...person, accountKey: linked, linkedAccountKey: linked, merged: [] } : { ...person, merged: [] };
}

/**
 * A batch of Segment messages through the same ingestion as POST /v1/events:
 * people resolved in message order (so an anonymous visit followed by an
 * identify lands on the known person), identify and group changes written,
 * then the events stored once each (messageId is the event id) with one
 * signal per account. Entities whose people changed without an event of
 * theirs in the batch are asked to re-score.
 */
export async function ingestTracking(target: DeliveryTarget, auth: AuthContext, batch: TrackingBatch): Promise<TrackingResult> {
  const { ops, rejected } = toOperations(batch.messages, { receivedAt: batch.receivedAt, sentAt: batch.sentAt, routeType: batch.routeType });
  const people = await resolveInOrder(ops);
  ops.forEach((op, i) => {
    const error = people[i]?.error;
    if (error) rejected.push({ index: op.index, path: op.kind === 'alias' ? 'previousId' : 'userId', message: error });
  });
  await refreshAfterMerges(target, people.filter((p): p is ResolvedPerson => !!p && !p.error));
  const { touched, links } = await applyProfileChanges(auth, ops, people);

  const events: { op: EventOp; person: ResolvedPerson }[] = [];
  ops.forEach((op, i) => {
    if (op.kind === 'event' && people[i] && !people[i]!.error) events.push({ op, person: onLinkedAccount(op, people[i]!, links) });
  });
  const meanings = await eventMeanings(events.map((e) => e.op.event.type), 'register');
  const incoming: IncomingEvent[] = events.map(({ op }) => ({ ...op.event, person: op.ids, ...(op.accountKey ? { accountKey: op.accountKey } : {}) }));
  const result = await ingestResolved(target, incoming, events.map((e) => e.person), meanings, { names: 'register' });

  const signalled = new Set(events.map(({ op, person }) => entityWorkflowId(entityRefFor(op.accountKey ?? person.accountKey, person.personId))));
  const refresh: EntityRef[] = touched.filter((ref) => !signalled.has(entityWorkflowId(ref)));
  for (const ref of refresh) await requestRefresh(target, ref, 'tracked profile change');
  return {
    accepted: result.accepted,
    duplicates: result.duplicates,
    profileChanges: ops.filter((op, i) => op.kind !== 'event' && people[i] && !people[i]!.error).length,
    rejected: rejected.sort((a, b) => a.index - b.index),
  };
}
