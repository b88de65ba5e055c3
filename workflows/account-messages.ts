import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AccountEvent } from '../domain/events';

/** New events for the entity: one signal per entity per ingested batch. */
export const eventsSignal = defineSignal<[AccountEvent[]]>('events');

export interface EntityState {
  pending: number;
  remembered: number;
  batchesApplied: number;
}
export const entityStateQuery = defineQuery<EntityState>('state');
