import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AccountEvent } from '../domain/events';
import { freshEvents, RecentIds } from '../domain/recent-ids';
import type { EntityRef } from '../domain/routing';
import { entityStateQuery, eventsSignal } from './account-messages';

export interface AccountWorkflowInput {
  entity: EntityRef;
  /** History length after which the run continues as new (from config; tests set it low). */
  historyLimit: number;
  /** Carried over a continue-as-new: buffered, not yet applied. */
  pending?: AccountEvent[];
  /** Carried over a continue-as-new: recently applied ids, for de-duplication. */
  appliedIds?: string[];
}

/** Events applied per activity call. */
export const MAX_BATCH = 500;
/** Applied ids remembered: a re-sent id within this window changes nothing. */
export const APPLIED_MEMORY = 5000;

const { applyEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

function shouldContinueAsNew(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit;
}

/**
 * The entity workflow of one account (or of one person without an account yet):
 * the signal handler only buffers; the loop drains the buffer in batches through
 * the applyEvents activity, then continues as new before history grows large.
 */
export async function accountWorkflow(input: AccountWorkflowInput): Promise<void> {
  const pending: AccountEvent[] = [...(input.pending ?? [])];
  const applied = new RecentIds(input.appliedIds ?? [], APPLIED_MEMORY);
  let batchesApplied = 0;

  setHandler(eventsSignal, (events) => {
    pending.push(...events);
  });
  setHandler(entityStateQuery, () => ({ pending: pending.length, remembered: applied.toArray().length, batchesApplied }));

  for (;;) {
    await condition(() => pending.length > 0 || shouldContinueAsNew(input.historyLimit));
    while (pending.length > 0 && !shouldContinueAsNew(input.historyLimit)) {
      const batch = freshEvents(pending.splice(0, MAX_BATCH), applied);
      if (batch.length === 0) continue;
      batchesApplied += 1;
      await applyEvents({ entity: input.entity, batchId: `${workflowInfo().runId}:${batchesApplied}`, events: batch });
      for (const e of batch) applied.add(e.eventId);
    }
    if (shouldContinueAsNew(input.historyLimit)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof accountWorkflow>({ ...input, pending, appliedIds: applied.toArray() });
    }
  }
}
