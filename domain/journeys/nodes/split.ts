import type { NodeEffects, NodeOf, NodeResult } from './effects';

/** The first branch whose test the account meets now. */
export async function runSplit(node: NodeOf<'split'>, fx: NodeEffects): Promise<NodeResult> {
  const i = await fx.evaluateSplit(node.branches.map((b) => b.when));
  return i >= 0 ? { next: node.branches[i].next, outcome: `branch ${i + 1}` } : { next: node.otherwise, outcome: 'otherwise' };
}
