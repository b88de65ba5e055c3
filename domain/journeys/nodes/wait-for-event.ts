import { evaluate } from '../../condition';
import { describeDuration, parseDuration } from '../../duration';
import { eventIs } from '../../events';
import type { NodeEffects, NodeOf, NodeResult } from './effects';

/** Waits for the account to do something, or times out to the other branch. */
export async function runWaitForEvent(node: NodeOf<'waitForEvent'>, fx: NodeEffects): Promise<NodeResult> {
  const match = () => fx.inbox().find((e) => eventIs(e, node.event) && (!node.where || evaluate(node.where, { event: e as unknown as Record<string, unknown> })));
  const ms = parseDuration(node.timeout)!;
  const happened = await fx.waitFor(() => fx.interrupted() || !!match(), ms, `waiting up to ${describeDuration(ms)} for ${node.event}`);
  if (fx.interrupted()) return {};
  const event = happened ? match() : undefined;
  return event ? { next: node.next, outcome: `${node.event} ${event.eventId}` } : { next: node.onTimeout, outcome: 'timed out' };
}
