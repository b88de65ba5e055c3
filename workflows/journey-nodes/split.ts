import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { JourneyNode } from '../../domain/journeys/definition';
import type { NodeContext, NodeResult } from './context';

type SplitNode = Extract<JourneyNode, { type: 'split' }>;

const { evaluateSplit } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } });

/** The first branch whose test the account meets now (read through an activity, so it sees current data). */
export async function runSplit(node: SplitNode, ctx: NodeContext): Promise<NodeResult> {
  const i = await evaluateSplit({ accountKey: ctx.accountKey, tests: node.branches.map((b) => b.when) });
  return i >= 0 ? { next: node.branches[i].next, outcome: `branch ${i + 1}` } : { next: node.otherwise, outcome: 'otherwise' };
}
