import { describeDuration, parseDuration } from '../../duration';
import type { NodeEffects, NodeOf, NodeResult } from './effects';

/** A durable timer ("3 days", or "until 1 December"); an interruption ends it early. */
export async function runWait(node: NodeOf<'wait'>, fx: NodeEffects, now: number): Promise<NodeResult> {
  const ms = node.duration ? parseDuration(node.duration)! : Math.max(0, Date.parse(node.until!) - now);
  const summary = node.duration ? `waiting ${describeDuration(ms)}` : `waiting until ${node.until}`;
  if (ms > 0 && (await fx.sleep(ms, summary))) return {};
  return { next: node.next, outcome: 'waited' };
}
