import { condition } from '@temporalio/workflow';
import { describeDuration, parseDuration } from '../../domain/duration';
import type { JourneyNode } from '../../domain/journeys/definition';
import type { NodeContext, NodeResult } from './context';

type WaitNode = Extract<JourneyNode, { type: 'wait' }>;

/** A durable timer ("3 days", or "until 1 December"); a stop or exit rule ends it early. */
export async function runWait(node: WaitNode, ctx: NodeContext): Promise<NodeResult> {
  const ms = node.duration ? parseDuration(node.duration)! : Math.max(0, Date.parse(node.until!) - Date.now());
  const summary = node.duration ? `waiting ${describeDuration(ms)}` : `waiting until ${node.until}`;
  if (ms > 0 && (await condition(ctx.interrupted, ms, { summary }))) return {};
  return { next: node.next, outcome: 'waited' };
}
