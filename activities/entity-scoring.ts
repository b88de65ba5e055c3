import type { DefinitionNeeds } from '../domain/definition-versions';
import type { AccountEvent } from '../domain/events';
import type { EntityRef } from '../domain/routing';
import { noteOnceFor } from '../lib/audience-feed';
import { recordMessages } from '../lib/deliveries';
import { announceChanges } from './entity-batch/announce';
import type { AccountHooks } from './entity-batch/hooks';
import { readEntity } from './entity-batch/read';
import { scoreEveryone, type StatusChange } from './entity-batch/score';
import { judgeGroupsAndSegments } from './entity-batch/segments';
import { finishBatch, writeEntity } from './entity-batch/write';

export interface EntityUpdate {
  /** Events applied (0 for a refresh). */
  applied: number;
  /** When scores next change with time alone: the workflow sleeps until then. */
  nextChangeAt?: string;
  statusChanges: StatusChange[];
  modelVersion: number;
}

/**
 * Applies a batch of events to an entity (account, or a person without one) and
 * re-scores everyone in it at the current time: counters, recent events, score
 * with breakdown, status, segments, buying groups, account roll-up. An empty
 * batch is a refresh (time moved, the model or a person changed); `needs`
 * says which versions of the model, segments and role templates it must judge
 * by (`latest`: as saved now, not cached), by default a refresh's: the latest.
 *
 * The steps run in this order, and each takes the proof of the one before:
 * read; decide (scores, groups, segments); announce what changed (before the
 * members' fields, so a retry still sees it); write the entity's documents
 * (each carries the batch id, so a retry after a partial write counts nothing
 * twice); then tell journeys and drop the pending markers. What the middle
 * steps wrote reaches segment previews in one audience note, before journeys
 * hear of it.
 */
export async function applyToEntity(entity: EntityRef, batchId: string, events: AccountEvent[], hooks?: AccountHooks, needs: DefinitionNeeds = { latest: events.length === 0 }): Promise<EntityUpdate> {
  const batch = await readEntity(entity, batchId, events, needs);
  const scores = scoreEveryone(batch);
  const written = await noteOnceFor(async () => {
    const memberships = await judgeGroupsAndSegments(batch, scores, needs, hooks?.deliver ?? recordMessages);
    const announced = await announceChanges(batch, scores, memberships, hooks);
    return writeEntity(batch, scores, memberships, announced);
  });
  await finishBatch(batch, written, hooks);
  return { applied: batch.events.length, nextChangeAt: written.nextChangeAt, statusChanges: scores.statusChanges, modelVersion: batch.scoring.version };
}
