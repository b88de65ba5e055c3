import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DefinitionNeeds } from '../domain/definition-versions';
import type { AccountEvent } from '../domain/events';

/** New events for the entity: one signal per entity per ingested batch. */
export const eventsSignal = defineSignal<[AccountEvent[]]>('events');

export interface RefreshRequest {
  reason: string;
  /** The definitions the refresh must judge by; absent (a sender from before it was named), everything as saved now. */
  atLeast?: DefinitionNeeds;
}

/** Re-score the entity now: the scoring model, a person or an identity changed. */
export const refreshSignal = defineSignal<[RefreshRequest]>('refresh');

export interface EntityState {
  pending: number;
  remembered: number;
  batchesApplied: number;
  /** When scores next change with time alone, if they do. */
  nextChangeAt?: string;
}
export const entityStateQuery = defineQuery<EntityState>('state');
