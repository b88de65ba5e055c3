import { ActivityCancellationType, allHandlersFinished, CancellationScope, condition, continueAsNew, isCancellation, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { backgroundQueue } from '../domain/background-queue';
import { bothNeeds, type DefinitionNeeds, withoutLatest } from '../domain/definition-versions';
import type { AccountEvent } from '../domain/events';
import { freshEvents, RecentIds } from '../domain/recent-ids';
import type { EntityRef } from '../domain/routing';
import { entityStateQuery, eventsSignal, refreshSignal } from './account-messages';

export interface AccountWorkflowInput {
  entity: EntityRef;
  /** History length after which the run continues as new (from config; tests set it low). */
  historyLimit: number;
  /** Carried over a continue-as-new: buffered, not yet applied. */
  pending?: AccountEvent[];
  /** Carried over a continue-as-new: recently applied ids, for de-duplication. */
  appliedIds?: string[];
  /** Carried over a continue-as-new: when scores next change with time. */
  nextChangeAt?: string;
  /** Carried over a continue-as-new: a refresh was asked for and not done yet. */
  refreshRequested?: boolean;
  /** Carried over a continue-as-new: the definitions the refreshes asked for must be judged by. */
  refreshNeeds?: DefinitionNeeds;
}

/** Events applied per activity call. */
export const MAX_BATCH = 500;
/** Applied ids remembered: a re-sent id within this window changes nothing. */
export const APPLIED_MEMORY = 5000;
/** Patch: scores follow time (a timer until the next window expiry) and refresh signals. */
export const SCORES_FOLLOW_TIME = 'scores-follow-time';
/** Patch: a refresh runs on the background queue and gives way to events, whose batch then does its work. */
export const LIVE_EVENTS_FIRST = 'live-events-first';

/** Patch: applies and refreshes heartbeat, so a dead worker's batch is retried after 20 s instead of a minute. */
export const APPLY_HEARTBEAT = 'apply-heartbeat';

/** Patch: a refresh reads the definitions its requests name (cached when the worker has them), not all of them afresh. */
export const REFRESH_NEEDS = 'refresh-needs';

/**
 * Patch: a batch of events is applied by a local activity, inside the workflow
 * task that takes it: no activity task to queue and hand out, and no second
 * workflow task for its result. A worker that dies mid-batch loses the task,
 * which times out and runs again elsewhere (the batch id keeps it once).
 */
export const APPLY_LOCALLY = 'apply-locally';

/**
 * Patch: a refresh withdrawn for events that then fails anyway is withdrawn
 * too. Temporal does not retry an activity whose cancellation was asked, so
 * its failure (a person who joined an account mid-refresh) used to fail the
 * whole workflow, and the events waiting in it were never applied.
 */
export const WITHDRAWN_REFRESH_FAILS = 'withdrawn-refresh-fails';

const OPTIONS = { startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '30 seconds' } } as const;
/** Well beyond the activities' beat (lib/liveness.ts, at most every 5 s), so only a dead worker misses it. */
const HEARTBEAT_TIMEOUT = '20 seconds';

function shouldContinueAsNew(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit;
}

/**
 * The entity workflow of one account (or of one person without an account yet):
 * handlers only buffer; the loop drains the buffer in batches through
 * applyEvents, re-scores when time moves a behaviour out of its window or a
 * refresh is asked for, and continues as new before history grows large.
 */
export async function accountWorkflow(input: AccountWorkflowInput): Promise<void> {
  const pending: AccountEvent[] = [...(input.pending ?? [])];
  const applied = new RecentIds(input.appliedIds ?? [], APPLIED_MEMORY);
  let batchesApplied = 0;
  let nextChangeAt = input.nextChangeAt;
  let refreshRequested = input.refreshRequested ?? false;
  // A refresh carried over from a run before needs were named reads everything as saved.
  let refreshNeeds: DefinitionNeeds = input.refreshNeeds ?? (input.refreshRequested ? { latest: true } : {});
  const nextBatchId = () => `${workflowInfo().runId}:${++batchesApplied}`;
  const options = patched(APPLY_HEARTBEAT) ? { ...OPTIONS, heartbeatTimeout: HEARTBEAT_TIMEOUT } : OPTIONS;
  const { applyEvents, refreshEntity } = proxyActivities<Activities>(options);
  const { applyEvents: applyEventsLocally } = proxyLocalActivities<Activities>(OPTIONS);
  // Waits for the cancellation to be settled: a refresh that already started finishes before anything else writes.
  const { refreshEntity: refreshInBackground } = proxyActivities<Activities>({
    ...options,
    taskQueue: backgroundQueue(workflowInfo().taskQueue),
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });

  /** The refresh, unless events arrive before it starts: then it is withdrawn (undefined) and their batch re-scores with a fresh model. */
  async function refreshUnlessEventsCome(): Promise<{ nextChangeAt?: string } | undefined> {
    const refreshing = new CancellationScope();
    const listening = new CancellationScope();
    const request = refreshInput();
    const refresh = refreshing.run(() => refreshInBackground(request));
    const eventsCame = listening.run(() => condition(() => pending.length > 0)).then(
      () => true,
      () => false,
    );
    const first = await Promise.race([refresh.then((r) => ({ done: r })), eventsCame]);
    listening.cancel();
    if (first !== true) return (first as { done: { nextChangeAt?: string } }).done;
    refreshing.cancel();
    try {
      return await refresh;
    } catch (err) {
      if (isCancellation(err) || patched(WITHDRAWN_REFRESH_FAILS)) {
        // Withdrawn: what it was to read is still owed.
        if (request.atLeast) refreshNeeds = bothNeeds(refreshNeeds, request.atLeast);
        return undefined;
      }
      throw err;
    }
  }

  setHandler(eventsSignal, (events) => {
    pending.push(...events);
  });
  /** The refresh's input; what it reads as saved now is not needed again by the next. */
  function refreshInput(): { entity: EntityRef; batchId: string; atLeast?: DefinitionNeeds } {
    const base = { entity: input.entity, batchId: nextBatchId() };
    if (!patched(REFRESH_NEEDS)) return base;
    const atLeast = refreshNeeds;
    refreshNeeds = withoutLatest(refreshNeeds);
    return { ...base, atLeast };
  }

  setHandler(refreshSignal, (request) => {
    refreshRequested = true;
    refreshNeeds = bothNeeds(refreshNeeds, request?.atLeast ?? { latest: true });
  });
  setHandler(entityStateQuery, () => ({ pending: pending.length, remembered: applied.toArray().length, batchesApplied, nextChangeAt }));

  const wakeUp = () => pending.length > 0 || refreshRequested || shouldContinueAsNew(input.historyLimit);
  for (;;) {
    // A refresh still owed: the next batch of events does it, with a fresh model and segments.
    let owed = false;
    if (patched(SCORES_FOLLOW_TIME)) {
      const dueIn = nextChangeAt ? Math.max(0, Date.parse(nextChangeAt) - Date.now()) : undefined;
      const woken = dueIn === undefined ? (await condition(wakeUp), true) : await condition(wakeUp, dueIn, { summary: 'until a behaviour leaves its scoring window' });
      if (!woken || refreshRequested) {
        refreshRequested = false;
        if (!patched(LIVE_EVENTS_FIRST)) nextChangeAt = (await refreshEntity({ entity: input.entity, batchId: nextBatchId() })).nextChangeAt;
        else if (pending.length > 0) owed = true;
        else {
          const done = await refreshUnlessEventsCome();
          if (done) nextChangeAt = done.nextChangeAt;
          else owed = true;
        }
      }
    } else {
      await condition(() => pending.length > 0 || shouldContinueAsNew(input.historyLimit));
    }
    while (pending.length > 0 && !shouldContinueAsNew(input.historyLimit)) {
      const batch = freshEvents(pending.splice(0, MAX_BATCH), applied);
      if (batch.length === 0) continue;
      const apply = patched(APPLY_LOCALLY) ? applyEventsLocally : applyEvents;
      const result = await apply({ entity: input.entity, batchId: nextBatchId(), events: batch, ...(owed ? { fresh: true } : {}) });
      owed = false;
      nextChangeAt = result.nextChangeAt;
      for (const e of batch) applied.add(e.eventId);
    }
    // Every event was a duplicate (or the run rolls over): the refresh is still to do.
    if (owed) refreshRequested = true;
    if (shouldContinueAsNew(input.historyLimit)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof accountWorkflow>({ ...input, pending, appliedIds: applied.toArray(), nextChangeAt, refreshRequested, ...(patched(REFRESH_NEEDS) ? { refreshNeeds } : {}) });
    }
  }
}
