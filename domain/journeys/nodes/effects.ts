import type { AccountEvent } from '../../events';
import type { ActionName, JourneyNode } from '../definition';
import type { z } from 'zod';
import type { splitTestSchema } from '../definition';

export type SplitTest = z.infer<typeof splitTestSchema>;

/**
 * What a node needs from the world. The journey workflow provides it with
 * Temporal timers, signals and activities; the simulator with a clock it moves
 * over an account's stored events. The nodes themselves are this one code, so
 * a dry run and a real run cannot drift apart.
 */
export interface NodeEffects {
  /** Events of the account since the current node was entered. */
  inbox(): readonly AccountEvent[];
  /** True once the instance must leave (stopped, exit rule, migration): waits end early. */
  interrupted(): boolean;
  /** Sleeps ms (or less, when interrupted); true when interrupted. */
  sleep(ms: number, summary: string): Promise<boolean>;
  /** Waits until the predicate holds or ms pass; true when it held. */
  waitFor(predicate: () => boolean, ms: number, summary: string): Promise<boolean>;
  /** Index of the first test the account meets now, -1 for none. */
  evaluateSplit(tests: SplitTest[]): Promise<number>;
  /** Runs an action; failure after its retries is an answer, not an exception. */
  runAction(action: ActionName, params: Record<string, unknown>): Promise<{ ok: true } | { ok: false; timedOut: boolean; message: string }>;
}

export type InstanceEnd = 'completed' | 'failed';

/** Where to go next and what happened; neither when interrupted (the caller's loop says how it ends). */
export interface NodeResult {
  next?: string;
  outcome?: string;
  end?: InstanceEnd;
}

export type NodeOf<T extends JourneyNode['type']> = Extract<JourneyNode, { type: T }>;
