import type { NodeEffects, NodeOf, NodeResult } from './effects';

/** Runs the action; one that keeps failing takes its onError / onTimeout branch when the node names one, else fails the instance. */
export async function runAction(node: NodeOf<'action'>, fx: NodeEffects): Promise<NodeResult> {
  const r = await fx.runAction(node.action, node.params);
  if (r.ok) return { next: node.next, outcome: 'done' };
  if (r.timedOut && node.onTimeout) return { next: node.onTimeout, outcome: 'timed out' };
  if (node.onError) return { next: node.onError, outcome: `failed: ${r.message}` };
  return { end: 'failed', outcome: `failed: ${r.message}` };
}
