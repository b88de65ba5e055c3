import type { JourneyNode } from '../definition';
import { runAction } from './action';
import type { NodeEffects, NodeResult } from './effects';
import { runSplit } from './split';
import { runWait } from './wait';
import { runWaitForEvent } from './wait-for-event';

/** Runs one node: the whole journey language, shared by the workflow and the simulator. */
export function runNode(node: JourneyNode, fx: NodeEffects, now: number): Promise<NodeResult> {
  switch (node.type) {
    case 'wait':
      return runWait(node, fx, now);
    case 'waitForEvent':
      return runWaitForEvent(node, fx);
    case 'split':
      return runSplit(node, fx);
    case 'action':
      return runAction(node, fx);
    case 'exit':
      return Promise.resolve({ end: 'completed', outcome: 'exit' });
  }
}
