import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AccountEvent } from '../domain/events';
import type { JourneyDefinition } from '../domain/journeys/definition';

export type InstanceStatus = 'running' | 'waiting' | 'paused' | 'completed' | 'exited_by_rule' | 'stopped' | 'failed';

export interface JourneyStep {
  nodeId: string;
  at: string;
  outcome?: string;
}

/** A recorded step's run and its number in that run. */
export interface StepPlace {
  runId: string;
  n: number;
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

/** The first form of the migrate signal (a node chosen from the projection); running histories still hold it. */
export interface MigrateTo {
  version: number;
  definition: JourneyDefinition;
  at: string;
}

/** Move instances of one version to another (in-flight migration): each maps the node it is really at. */
export interface MigrateRequest {
  fromVersion: number;
  toVersion: number;
  definition: JourneyDefinition;
  nodeMap: Record<string, string>;
}
export const migrateSignal = defineSignal<[MigrateRequest | MigrateTo]>('migrate');

export function journeyWorkflowId(journeyId: string, accountKey: string): string {
  return `journey:${journeyId}:${accountKey}`;
}
