import { ActivityFailure, ActivityOptions, ApplicationFailure, condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AccountEvent } from '../domain/events';
import type { NodeEffects } from '../domain/journeys/nodes/effects';

const SPLIT_OPTIONS: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } };
/** Retried with backoff; the idempotency key (instance, node, visit) is the same on every attempt. */
const ACTION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};
const { evaluateSplit, runJourneyAction } = proxyActivities<Activities>(SPLIT_OPTIONS);

export interface InstanceRef {
  journeyId: string;
  version: number;
  accountKey: string;
  workflowId: string;
}

/** The nodes' world inside the journey workflow: durable timers, signals (the inbox) and activities. */
export function temporalEffects(instance: InstanceRef, at: () => { nodeId: string; visit: number }, inbox: () => readonly AccountEvent[], interrupted: () => boolean): NodeEffects {
  return {
    inbox,
    interrupted,
    sleep: (ms, summary) => condition(interrupted, ms, { summary }),
    waitFor: (predicate, ms, summary) => condition(predicate, ms, { summary }),
    // Summaries say in the Temporal UI what each activity is for.
    evaluateSplit: (tests) => evaluateSplit.executeWithOptions({ ...SPLIT_OPTIONS, summary: `split at ${at().nodeId}` }, [{ accountKey: instance.accountKey, tests }]),
    async runAction(action, params) {
      const { nodeId, visit } = at();
      try {
        await runJourneyAction.executeWithOptions({ ...ACTION_OPTIONS, summary: `${action} at ${nodeId}` }, [
          { journeyId: instance.journeyId, version: instance.version, accountKey: instance.accountKey, nodeId, idempotencyKey: `${instance.workflowId}:${nodeId}:${visit}`, action, params },
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
