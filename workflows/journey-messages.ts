import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AccountEvent } from '../domain/events';
import type { JourneyDefinition } from '../domain/journeys/definition';

export type InstanceStatus = 'running' | 'waiting' | 'paused' | 'completed' | 'exited_by_rule' | 'stopped' | 'failed';

export interface JourneyStep {
  nodeId: string;
  at: string;
  outcome?: string;
}

export interface JourneyState {
  nodeId: string;
  status: InstanceStatus;
  version: number;
  history: JourneyStep[];
}

/** The account's events, forwarded by its entity workflow's activity after they are applied. */
export const journeyEventsSignal = defineSignal<[AccountEvent[]]>('journeyEvents');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const stopSignal = defineSignal<[{ reason: string }]>('stop');
export const journeyStateQuery = defineQuery<JourneyState>('journeyState');

/** Move this instance to another version of its journey, at the given node (in-flight migration). */
export interface MigrateTo {
  version: number;
  definition: JourneyDefinition;
  at: string;
}
export const migrateSignal = defineSignal<[MigrateTo]>('migrate');

export function journeyWorkflowId(journeyId: string, accountKey: string): string {
  return `journey:${journeyId}:${accountKey}`;
}
