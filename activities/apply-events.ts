import type { DefinitionNeeds } from '../domain/definition-versions';
import type { AccountEvent } from '../domain/events';
import { EntityRef, entityRefFor, entityWorkflowId } from '../domain/routing';
import { DeliveryTarget, deliverEvents, requestRefresh } from '../lib/deliver-events';
import { recordAndDeliver } from '../lib/deliveries';
import { handOverPending } from '../lib/pending-markers';
import { whileAlive } from '../lib/liveness';
import { Person } from '../models/person';
import { routeEvents, startOnSegmentEntry } from '../lib/journey-launch';
import { applyUnsubscribeEvents } from '../lib/unsubscribe-events';
import { recheckNurtures } from '../lib/nurture-recheck';
import { followSegmentChanges } from '../lib/nurture-entry';
import type { AccountHooks } from './entity-batch/hooks';
import { applyToEntity, type EntityUpdate } from './entity-scoring';

export interface ApplyEventsInput {
  entity: EntityRef;
  /** Stable across retries of this call: a document that already has it is skipped. */
  batchId: string;
  events: AccountEvent[];
  /** The batch also does a refresh the workflow owed (a model or segment change, time): read them fresh. */
  fresh?: boolean;
}

/**
 * Where a person's state is written now. A person entity whose person has
 * since joined an account (or been merged) hands over, so every person has
 * exactly one writer: the entity workflow of its account.
 */
async function currentOwner(entity: EntityRef): Promise<EntityRef> {
  if (entity.kind === 'account') return entity;
  let person = await Person.findOne({ _id: entity.personId }, { accountKey: 1, mergedInto: 1 }).lean();
  for (let hops = 0; person?.mergedInto && hops < 5; hops++) person = await Person.findOne({ _id: person.mergedInto }, { accountKey: 1, mergedInto: 1 }).lean();
  return person ? entityRefFor(person.accountKey, person._id) : entity;
}

export function makeEntityActivities(delivery: DeliveryTarget) {
  const toJourneys: AccountHooks = {
    enteredSegments: (accountKey, segmentIds) => startOnSegmentEntry(delivery, accountKey, segmentIds),
    applied: (accountKey, events) => routeEvents(delivery, accountKey, events),
    deliver: (messages) => recordAndDeliver(delivery, messages),
    segmentsChanged: (changes) => followSegmentChanges(delivery, changes),
  };
  return {
    /** Applies a batch of events to the entity's counters and scores. */
    applyEvents: (input: ApplyEventsInput): Promise<EntityUpdate & { forwardedTo?: string }> => whileAlive(async () => {
      const owner = await currentOwner(input.entity);
      if (entityWorkflowId(owner) !== entityWorkflowId(input.entity)) {
        await handOverPending(input.entity, owner, input.events.map((e) => e.eventId));
        await deliverEvents(delivery, owner, input.events);
        return { applied: 0, statusChanges: [], modelVersion: 0, forwardedTo: entityWorkflowId(owner) };
      }
      // Before the batch's pending records are cleared: a failure here retries the batch, so no unsubscribe is lost.
      await applyUnsubscribeEvents(delivery, input.events);
      const update = await applyToEntity(input.entity, input.batchId, input.events, toJourneys, input.fresh ? { latest: true } : undefined);
      await recheckNurtures(delivery, update.statusChanges, input.events);
      return update;
    }),

    /**
     * Re-scores the entity at the current time: a behaviour left its window, the
     * model or a person changed. `atLeast` names the definitions to judge by
     * (absent: a workflow from before it was named, which reads everything as saved now).
     */
    refreshEntity: (input: { entity: EntityRef; batchId: string; atLeast?: DefinitionNeeds }): Promise<EntityUpdate & { forwardedTo?: string }> => whileAlive(async () => {
      const needs = input.atLeast ?? { latest: true };
      const owner = await currentOwner(input.entity);
      if (entityWorkflowId(owner) !== entityWorkflowId(input.entity)) {
        await requestRefresh(delivery, owner, 'handed over by a person entity', needs);
        return { applied: 0, statusChanges: [], modelVersion: 0, forwardedTo: entityWorkflowId(owner) };
      }
      const update = await applyToEntity(input.entity, input.batchId, [], toJourneys, needs);
      await recheckNurtures(delivery, update.statusChanges, []);
      return update;
    }),
  };
}
