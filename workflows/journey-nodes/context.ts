import type { AccountEvent } from '../../domain/events';
import type { InstanceStatus } from '../journey-messages';

/** What a node sees of its instance. */
export interface NodeContext {
  journeyId: string;
  version: number;
  accountKey: string;
  workflowId: string;
  /** Events of the account received since this node was entered. */
  inbox(): readonly AccountEvent[];
  /** True once the instance must leave (stopped, or the exit rule met): waits end early. */
  interrupted(): boolean;
  /** The node being run. */
  currentNode: string;
  /** Counts node visits of this instance: with the node id, the idempotency key of an action. */
  visit: number;
}

/** Where to go next, what happened (for the history), or how the instance ends here. */
export interface NodeResult {
  next?: string;
  outcome?: string;
  end?: InstanceStatus;
}
