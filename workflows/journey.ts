import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { evaluate } from '../domain/condition';
import type { AccountEvent } from '../domain/events';
import type { JourneyDefinition } from '../domain/journeys/definition';
import { JourneyStatus, JourneyVersion, NodeId } from '../domain/search-attributes';
import { InstanceStatus, JourneyStep, journeyEventsSignal, journeyStateQuery, migrateSignal, MigrateTo, pauseSignal, resumeSignal, stopSignal } from './journey-messages';
import { runNode } from '../domain/journeys/nodes';
import { temporalEffects } from './journey-effects';

export interface JourneyInput {
  journeyId: string;
  version: number;
  accountKey: string;
  definition: JourneyDefinition;
  /** Carried over a continue-as-new (or set by a migration): where to go on. */
  at?: string;
  history?: JourneyStep[];
  visits?: number;
  paused?: boolean;
  inbox?: AccountEvent[];
}

/** Steps kept in the workflow's state (the projection keeps its own). */
const HISTORY_KEPT = 50;
const CONTINUE_AFTER_EVENTS = 5000;

const { recordJourneyStep, accountMatches } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } });

/**
 * One account on one journey version: a short loop that runs the node it is
 * at and moves to the next, recording each step. Events reach it as signals;
 * pause holds it before its next node, stop and the exit rule end it from
 * anywhere (waits included).
 */
export async function journeyWorkflow(input: JourneyInput): Promise<{ status: InstanceStatus; history: JourneyStep[] }> {
  const def = input.definition;
  const { workflowId } = workflowInfo();
  let nodeId = input.at ?? def.start;
  let history = [...(input.history ?? [])];
  let visits = input.visits ?? 0;
  let paused = input.paused ?? false;
  let inbox: AccountEvent[] = [...(input.inbox ?? [])];
  let stopped: string | undefined;
  let exitRuleMet = false;
  let migrateTo: MigrateTo | undefined;
  let status: InstanceStatus = 'running';

  const exitRule = def.exitWhen;
  setHandler(journeyEventsSignal, (events) => {
    // Only what the current node waits for is kept: an active account's other events would pile up during a long wait.
    const node = def.nodes[nodeId];
    if (node.type === 'waitForEvent') inbox.push(...events.filter((e) => e.type === node.event));
    if (exitRule && 'performed' in exitRule) {
      exitRuleMet ||= events.some((e) => e.type === exitRule.performed && (!exitRule.where || evaluate(exitRule.where, { event: e as unknown as Record<string, unknown> })));
    }
  });
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(stopSignal, ({ reason }) => void (stopped = reason));
  setHandler(migrateSignal, (target) => void (migrateTo = target));
  setHandler(journeyStateQuery, () => ({ nodeId, status, version: input.version, history }));

  const record = async (step: JourneyStep | undefined, newStatus: InstanceStatus) => {
    status = newStatus;
    if (step) history = [...history, step].slice(-HISTORY_KEPT);
    upsertSearchAttributes([
      { key: JourneyVersion, value: input.version },
      { key: NodeId, value: nodeId },
      { key: JourneyStatus, value: status },
    ]);
    await recordJourneyStep({ workflowId, journeyId: input.journeyId, version: input.version, accountKey: input.accountKey, nodeId, status, step });
  };
  // The step just finished is recorded with the next transition: one projection write per node.
  let lastStep: JourneyStep | undefined;
  const takeStep = () => {
    const step = lastStep;
    lastStep = undefined;
    return step;
  };
  const finish = async (end: InstanceStatus, outcome: string) => {
    await record(takeStep() ?? { nodeId, at: new Date().toISOString(), outcome }, end);
    await condition(allHandlersFinished);
    return { status: end, history };
  };
  const interrupted = () => stopped !== undefined || exitRuleMet || migrateTo !== undefined;
  const fx = temporalEffects({ journeyId: input.journeyId, version: input.version, accountKey: input.accountKey, workflowId }, () => ({ nodeId, visit: visits }), () => inbox, interrupted);

  for (;;) {
    if (paused && !interrupted()) {
      await record(takeStep(), 'paused');
      await condition(() => !paused || interrupted());
    }
    if (stopped !== undefined) return finish('stopped', stopped);
    if (!exitRuleMet && exitRule && !('performed' in exitRule)) exitRuleMet = await accountMatches({ accountKey: input.accountKey, condition: exitRule });
    if (exitRuleMet) return finish('exited_by_rule', 'exit rule met');
    if (migrateTo) {
      // Goes on as the target version at the mapped node: a fresh run, its history carried.
      const step = { nodeId, at: new Date().toISOString(), outcome: `migrated to v${migrateTo.version} at ${migrateTo.at}` };
      await record(takeStep() ?? step, 'running');
      await condition(allHandlersFinished);
      await continueAsNew<typeof journeyWorkflow>({ ...input, version: migrateTo.version, definition: migrateTo.definition, at: migrateTo.at, history, visits, paused, inbox: [] });
    }

    const node = def.nodes[nodeId];
    const enteredAt = new Date().toISOString();
    visits += 1;
    inbox = [];
    await record(takeStep(), node.type === 'wait' || node.type === 'waitForEvent' ? 'waiting' : 'running');
    const result = await runNode(node, fx, Date.now());
    if (!result.next && !result.end) continue; // interrupted: the top of the loop says how it ends
    lastStep = { nodeId, at: enteredAt, outcome: result.outcome };
    if (result.end) return finish(result.end, result.outcome ?? result.end);
    nodeId = result.next!;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > CONTINUE_AFTER_EVENTS) {
      await record(takeStep(), 'running');
      await condition(allHandlersFinished);
      await continueAsNew<typeof journeyWorkflow>({ ...input, at: nodeId, history, visits, paused, inbox: [] });
    }
  }
}
