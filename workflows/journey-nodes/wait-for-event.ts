import { condition } from '@temporalio/workflow';
import { evaluate } from '../../domain/condition';
import { describeDuration, parseDuration } from '../../domain/duration';
import type { JourneyNode } from '../../domain/journeys/definition';
import type { NodeContext, NodeResult } from './context';

type WaitForEventNode = Extract<JourneyNode, { type: 'waitForEvent' }>;

/** Waits for the account to do something (an event arriving as a signal), or times out to the other branch. */
export async function runWaitForEvent(node: WaitForEventNode, ctx: NodeContext): Promise<NodeResult> {
  const match = () => ctx.inbox().find((e) => e.type === node.event && (!node.where || evaluate(node.where, { event: e as unknown as Record<string, unknown> })));
  const ms = parseDuration(node.timeout)!;
  const happened = await condition(() => ctx.interrupted() || !!match(), ms, { summary: `waiting up to ${describeDuration(ms)} for ${node.event}` });
  if (ctx.interrupted()) return {};
  const event = happened ? match() : undefined;
  return event ? { next: node.next, outcome: `${node.event} ${event.eventId}` } : { next: node.onTimeout, outcome: 'timed out' };
}
