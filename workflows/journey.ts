import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { evaluate } from '../domain/condition';
import { eventIs, type AccountEvent } from '../domain/events';
import type { JourneyDefinition } from '../domain/journeys/definition';
import { JourneyStatus, JourneyVersion, NodeId } from '../domain/search-attributes';
import { InstanceStatus, JourneyStep, journeyEventsSignal, journeyStateQuery, MigrateRequest, migrateSignal, MigrateTo, pauseSignal, resumeSignal, stopSignal } from './journey-messages';
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
  /** Carried over a continue-as-new: requests that arrived and were not acted on yet. */
  stopped?: string;
  exitRuleMet?: boolean;
  migrate?: MigrateRequest | MigrateTo;
  /** Carried over a continue-as-new in the middle of a wait: the node goes on with its deadline, it is not entered again. */
  resume?: { enteredAt: string; deadline: number };
  /** History length after which a run continues as new (from config; tests set it low). */
  historyLimit?: number;
}

/** Steps kept in the workflow's state (the projection keeps its own). */
const HISTORY_KEPT = 50;
const CONTINUE_AFTER_EVENTS = 5000;

/**
 * Patch: idempotency keys scoped to the entry (a re-entry sends afresh), actions
 * on our own database retried until they succeed, stop / exit-rule / migration
 * requests carried over a continue-as-new, long waits that continue as new with
 * their deadline, and migration resolved at the node the instance is really at.
 */
export const KEEPS_ITS_PROMISES = 'journey-keeps-its-promises';

/**
 * Patch: the projection write runs as a local activity, inside the workflow
 * task that takes the step, instead of as an activity task that needs a
 * workflow task of its own to go on (2-3 per event that moves an instance).
 */
export const STEPS_RECORDED_LOCALLY = 'journey-steps-recorded-locally';

/**
 * Patch: an action that only queues messages (sendEmail, syncToCrm,
 * notifySales, addToLinkedInAudience) runs as a local activity too, in the
 * workflow task that reaches its node: no activity task, and no workflow task
 * of its own to go on.
 */
export const QUEUED_ACTIONS_LOCALLY = 'journey-queued-actions-locally';

// Reads and writes of our own database: retried until they succeed.
const ownData = { startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } } as const;
const { recordJourneyStep, accountMatches } = proxyActivities<Activities>(ownData);
const local = proxyLocalActivities<Activities>(ownData);

const migrationVersion = (m: MigrateRequest | MigrateTo) => ('at' in m ? m.version : m.toVersion);
const migrationTarget = (m: MigrateRequest | MigrateTo, nodeId: string): string | undefined => ('at' in m ? m.at : m.nodeMap[nodeId]);

/**
 * One account on one journey version: a short loop that runs the node it is
 * at and moves to the next, recording each step. Events reach it as signals;
 * pause holds it before its next node, stop and the exit rule end it from
 * anywhere (waits included).
 */
export async function journeyWorkflow(input: JourneyInput): Promise<{ status: InstanceStatus; history: JourneyStep[] }> {
  const def = input.definition;
  const { workflowId, firstExecutionRunId, runId } = workflowInfo();
  const keepsPromises = patched(KEEPS_ITS_PROMISES);
  const recordStep = patched(STEPS_RECORDED_LOCALLY) ? local.recordJourneyStep : recordJourneyStep;
  const historyLimit = input.historyLimit ?? CONTINUE_AFTER_EVENTS;
  let nodeId = input.at ?? def.start;
  let history = [...(input.history ?? [])];
  let visits = input.visits ?? 0;
  let paused = input.paused ?? false;
  let inbox: AccountEvent[] = [...(input.inbox ?? [])];
  let stopped = input.stopped;
  let exitRuleMet = input.exitRuleMet ?? false;
  let migrate = input.migrate;
  let migrationSkipped: string | undefined;
  let resume = input.resume;
  let carriedDeadline = resume?.deadline;
  let status: InstanceStatus = 'running';
  let stepsRecorded = 0;

  const exitRule = def.exitWhen;
  setHandler(journeyEventsSignal, (events) => {
    // Only what the current node waits for is kept: an active account's other events would pile up during a long wait.
    const node = def.nodes[nodeId];
    if (node.type === 'waitForEvent') inbox.push(...events.filter((e) => eventIs(e, node.event)));
    if (exitRule && 'performed' in exitRule) {
      exitRuleMet ||= events.some((e) => eventIs(e, exitRule.performed) && (!exitRule.where || evaluate(exitRule.where, { event: e as unknown as Record<string, unknown> })));
    }
  });
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(stopSignal, ({ reason }) => void (stopped = reason));
  setHandler(migrateSignal, (request) => {
    if (!keepsPromises || 'at' in request) {
      migrate = request;
      return;
    }
    // Checked against the node the instance is at now, not the one a projection last showed.
    if (request.fromVersion !== input.version) migrationSkipped = `not migrated to v${request.toVersion}: on v${input.version}`;
    else if (!request.nodeMap[nodeId]) migrationSkipped = `not migrated to v${request.toVersion}: node '${nodeId}' is not mapped`;
    else migrate = request;
  });
  setHandler(journeyStateQuery, () => ({ nodeId, status, version: input.version, history }));

  const record = async (step: JourneyStep | undefined, newStatus: InstanceStatus) => {
    status = newStatus;
    if (step) history = [...history, step].slice(-HISTORY_KEPT);
    upsertSearchAttributes([
      { key: JourneyVersion, value: input.version },
      { key: NodeId, value: nodeId },
      { key: JourneyStatus, value: status },
    ]);
    // Counted per run, so a task retried after its local writes records the same steps at the same places.
    const place = step ? { runId, n: ++stepsRecorded } : undefined;
    await recordStep({ workflowId, journeyId: input.journeyId, version: input.version, accountKey: input.accountKey, nodeId, status, step, place });
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
  const interrupted = () => stopped !== undefined || exitRuleMet || migrate !== undefined;
  const mustContinue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit;
  // What a continue-as-new carries, so that nothing asked of this instance is lost.
  const carried = (): JourneyInput => (keepsPromises ? { ...input, history, visits, paused, inbox, stopped, exitRuleMet, migrate, resume: undefined } : { ...input, history, visits, paused, inbox: [] });
  const continueMidNode = async (deadline: number): Promise<never> => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof journeyWorkflow>({ ...carried(), at: nodeId, resume: { enteredAt: resume!.enteredAt, deadline } });
  };
  const position = () => ({ nodeId, idempotencyKey: keepsPromises ? `${workflowId}:${firstExecutionRunId}:${nodeId}:${visits}` : `${workflowId}:${nodeId}:${visits}` });
  const waits = {
    resumedDeadline: () => {
      const d = carriedDeadline;
      carriedDeadline = undefined;
      return d;
    },
    mustContinue: () => keepsPromises && mustContinue(),
    continueMidNode,
  };
  const policies = { current: keepsPromises, queuedLocally: patched(QUEUED_ACTIONS_LOCALLY) };
  const fx = temporalEffects({ journeyId: input.journeyId, version: input.version, accountKey: input.accountKey }, position, () => inbox, interrupted, waits, policies);

  for (;;) {
    // A run that resumes in the middle of a wait holds for a pause only before its next node.
    if (paused && !interrupted() && !resume) {
      await record(takeStep(), 'paused');
      await condition(() => !paused || interrupted());
    }
    if (stopped !== undefined) return finish('stopped', stopped);
    if (!exitRuleMet && exitRule && !('performed' in exitRule)) exitRuleMet = await accountMatches({ accountKey: input.accountKey, condition: exitRule });
    if (exitRuleMet) return finish('exited_by_rule', 'exit rule met');
    if (migrate) {
      const target = migrationTarget(migrate, nodeId);
      if (target) {
        // Goes on as the target version at the mapped node: a fresh run, its history carried.
        const version = migrationVersion(migrate);
        const step = { nodeId, at: new Date().toISOString(), outcome: `migrated to v${version} at ${target}` };
        await record(takeStep() ?? step, 'running');
        await condition(allHandlersFinished);
        await continueAsNew<typeof journeyWorkflow>({ ...carried(), version, definition: migrate.definition, at: target, migrate: undefined });
      }
      migrationSkipped = `not migrated to v${migrationVersion(migrate)}: node '${nodeId}' is not mapped`;
      migrate = undefined;
    }
    if (migrationSkipped) {
      await record({ nodeId, at: new Date().toISOString(), outcome: migrationSkipped }, status);
      migrationSkipped = undefined;
    }

    const node = def.nodes[nodeId];
    if (!resume) {
      resume = { enteredAt: new Date().toISOString(), deadline: 0 };
      visits += 1;
      inbox = [];
      await record(takeStep(), node.type === 'wait' || node.type === 'waitForEvent' ? 'waiting' : 'running');
    }
    const result = await runNode(node, fx, Date.now());
    const enteredAt = resume.enteredAt;
    resume = undefined;
    if (!result.next && !result.end) continue; // interrupted: the top of the loop says how it ends
    lastStep = { nodeId, at: enteredAt, outcome: result.outcome };
    if (result.end) return finish(result.end, result.outcome ?? result.end);
    nodeId = result.next!;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit) {
      await record(takeStep(), 'running');
      await condition(allHandlersFinished);
      await continueAsNew<typeof journeyWorkflow>({ ...carried(), at: nodeId });
    }
  }
}
