import type { AccountEvent } from '../domain/events';
import type { EntityRef } from '../domain/routing';
import { applyToEntity, EntityUpdate } from './entity-scoring';

export interface ApplyEventsInput {
  entity: EntityRef;
  /** Stable across retries of this call: a document that already has it is skipped. */
  batchId: string;
  events: AccountEvent[];
}

/** Applies a batch of events to the entity's counters and scores. */
export async function applyEvents(input: ApplyEventsInput): Promise<EntityUpdate> {
  return applyToEntity(input.entity, input.batchId, input.events);
}

/** Re-scores the entity at the current time: a behaviour left its window, the model or a person changed. */
export async function refreshEntity(input: { entity: EntityRef; batchId: string }): Promise<EntityUpdate> {
  return applyToEntity(input.entity, input.batchId, []);
}
