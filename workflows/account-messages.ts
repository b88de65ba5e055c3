import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AccountEvent } from '../domain/events';

/** New events for the entity: one signal per entity per ingested batch. */
export const eventsSignal = defineSignal<[AccountEvent[]]>('events');

/** Re-score the entity now: the scoring model, a person or an identity changed. */
export const refreshSignal = defineSignal<[{ reason: string }]>('refresh');

export interface EntityState {
  pending: number;
  remembered: number;
  batchesApplied: number;
  /** When scores next change with time alone, if they do. */
  nextChangeAt?: string;
}
export const entityStateQuery = defineQuery<EntityState>('state');
