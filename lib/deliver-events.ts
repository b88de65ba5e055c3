import { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { DispatchSettings } from '../domain/delivery/queues';
import type { AccountEvent } from '../domain/events';
import { EntityRef, entityWorkflowId } from '../domain/routing';
import type { DefinitionNeeds } from '../domain/definition-versions';
import { AccountKey } from '../domain/search-attributes';
import { eventsSignal, refreshSignal } from '../workflows/account-messages';
import type { accountWorkflow } from '../workflows/account';
import type { EventSignals, Sent } from './event-signals';

export interface DeliveryTarget {
  client: Client;
  taskQueue: string;
  historyLimit: number;
  /** How lanes' dispatchers batch and retry outbound messages (default: DEFAULT_DISPATCH). */
  dispatch?: DispatchSettings;
  /** The process's queue of stored events for their entity workflows. */
  signals: EventSignals;
}

const accountWorkflowName = 'accountWorkflow';

function startOptions(target: DeliveryTarget, entity: EntityRef) {
  return {
    workflowId: entityWorkflowId(entity),
    taskQueue: target.taskQueue,
    args: [{ entity, historyLimit: target.historyLimit }] as Parameters<typeof accountWorkflow>,
    typedSearchAttributes: entity.kind === 'account' ? new TypedSearchAttributes([{ key: AccountKey, value: entity.accountKey }]) : undefined,
    staticSummary: entity.kind === 'account' ? `Account ${entity.accountKey}` : `Person ${entity.personId} (no account yet)`,
  };
}

/** One signalWithStart per entity: starts its workflow if it is not running yet. */
export async function deliverEvents(target: DeliveryTarget, entity: EntityRef, events: AccountEvent[]): Promise<void> {
  await target.client.workflow.signalWithStart(accountWorkflowName, { ...startOptions(target, entity), signal: eventsSignal, signalArgs: [events] });
}

/** Asks the entity to re-score now (a person, an account or the model changed). */
export async function requestRefresh(target: DeliveryTarget, entity: EntityRef, reason: string, atLeast: DefinitionNeeds = {}): Promise<void> {
  await target.client.workflow.signalWithStart(accountWorkflowName, { ...startOptions(target, entity), signal: refreshSignal, signalArgs: [{ reason, atLeast }] });
}

/** Delivers events grouped by their entity workflow, one call each (or fewer, shared with other callers'), once they have been sent. */
export async function deliverGrouped(target: DeliveryTarget, groups: Map<string, { entity: EntityRef; events: AccountEvent[] }>): Promise<Sent> {
  return target.signals.enqueue(groups).sent;
}
