import { ActivityFailure, ActivityOptions, ApplicationFailure, condition, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AccountEvent } from '../domain/events';
import type { ActionName } from '../domain/journeys/definition';
import { webhookTimeoutMs } from '../domain/journeys/webhook-timeout';
import type { NodeEffects } from '../domain/journeys/nodes/effects';

const ATTEMPT_MARGIN_MS = 5000;
const SPLIT_OPTIONS: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } };
/** Calls to the outside world: retried with backoff, then the node's onError / onTimeout decides. */
const EXTERNAL_ACTION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};
/** Actions on our own database: a stall of the database is waited out, never an instance failed for good. */
const INTERNAL_ACTION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
/** A webhook attempt ends with its own timeout: one whose worker died is retried soon after that, not minutes later. */
function actionOptions(action: ActionName, params: Record<string, unknown>): ActivityOptions {
  if (action !== 'webhook') return INTERNAL_ACTION_OPTIONS;
  const timeoutMs = webhookTimeoutMs((params as { timeout?: string }).timeout);
  return { ...EXTERNAL_ACTION_OPTIONS, startToCloseTimeout: timeoutMs + ATTEMPT_MARGIN_MS };
}
const { evaluateSplit, runJourneyAction } = proxyActivities<Activities>(SPLIT_OPTIONS);
const local = proxyLocalActivities<Activities>(INTERNAL_ACTION_OPTIONS);

/** Actions that only record messages for a delivery lane in our own database: short, and retried until they succeed. */
const QUEUED_ACTIONS: ReadonlySet<ActionName> = new Set<ActionName>(['sendEmail', 'syncToCrm', 'notifySales', 'addToLinkedInAudience']);

/** Which patched behaviour an instance runs with (each true unless its history was recorded before that patch). */
export interface EffectPolicies {
  /** Actions have the retry policy of what they call. */
  current: boolean;
  /** Queued actions run inside the workflow task that reaches them (local activities). */
  queuedLocally: boolean;
}

export interface InstanceRef {
  journeyId: string;
  version: number;
  accountKey: string;
}

/** Where the instance is: the node it runs and the key of this visit (stable across retries, unique per entry and visit). */
export interface Position {
  nodeId: string;
  idempotencyKey: string;
}

/** How a long wait lives with the history limit: it continues as new in the middle and keeps its deadline. */
export interface WaitControl {
  /** The deadline a continue-as-new carried into the wait it interrupted (given once). */
  resumedDeadline(): number | undefined;
  /** True when the run must continue as new before the wait ends. */
  mustContinue(): boolean;
  /** Continues as new at the current node with this deadline. */
  continueMidNode(deadline: number): Promise<never>;
}

/** The nodes' world inside the journey workflow: durable timers, signals (the inbox) and activities. */
export function temporalEffects(instance: InstanceRef, at: () => Position, inbox: () => readonly AccountEvent[], interrupted: () => boolean, waits: WaitControl, policies: EffectPolicies): NodeEffects {
  const waitUntil = async (done: () => boolean, ms: number, summary: string): Promise<boolean> => {
    const deadline = waits.resumedDeadline() ?? Date.now() + ms;
    const left = deadline - Date.now();
    if (left <= 0) return done();
    const woken = await condition(() => done() || waits.mustContinue(), left, { summary });
    if (!woken || done()) return woken;
    return waits.continueMidNode(deadline);
  };
  return {
    inbox,
    interrupted,
    sleep: (ms, summary) => waitUntil(interrupted, ms, summary),
    waitFor: (predicate, ms, summary) => waitUntil(predicate, ms, summary),
    // Summaries say in the Temporal UI what each activity is for.
    evaluateSplit: (tests) => evaluateSplit.executeWithOptions({ ...SPLIT_OPTIONS, summary: `split at ${at().nodeId}` }, [{ accountKey: instance.accountKey, tests }]),
    async runAction(action, params) {
      const { nodeId, idempotencyKey } = at();
      const options = policies.current ? actionOptions(action, params) : EXTERNAL_ACTION_OPTIONS;
      const run = policies.queuedLocally && QUEUED_ACTIONS.has(action) ? local.runJourneyAction : runJourneyAction;
      try {
        await run.executeWithOptions({ ...options, summary: `${action} at ${nodeId}` }, [
          { journeyId: instance.journeyId, version: instance.version, accountKey: instance.accountKey, nodeId, idempotencyKey, action, params },
        ]);
        return { ok: true };
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
        return { ok: false, timedOut: cause?.type === 'WebhookTimeout', message: cause?.message ?? err.message };
      }
    },
  };
}
