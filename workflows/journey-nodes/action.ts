import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { JourneyNode } from '../../domain/journeys/definition';
import type { NodeContext, NodeResult } from './context';

type ActionNode = Extract<JourneyNode, { type: 'action' }>;

/** Retried with backoff; the idempotency key (instance, node, visit) is the same on every attempt. */
const { runJourneyAction } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Runs the action; a webhook that keeps failing takes its onError / onTimeout branch when the node names one. */
export async function runAction(node: ActionNode, ctx: NodeContext): Promise<NodeResult> {
  try {
    await runJourneyAction({ journeyId: ctx.journeyId, version: ctx.version, accountKey: ctx.accountKey, nodeId: ctx.currentNode, idempotencyKey: `${ctx.workflowId}:${ctx.currentNode}:${ctx.visit}`, action: node.action, params: node.params });
    return { next: node.next, outcome: 'done' };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
    if (cause?.type === 'WebhookTimeout' && node.onTimeout) return { next: node.onTimeout, outcome: 'timed out' };
    if (node.onError) return { next: node.onError, outcome: `failed: ${cause?.message ?? err.message}` };
    return { end: 'failed', outcome: `failed: ${cause?.message ?? err.message}` };
  }
}
