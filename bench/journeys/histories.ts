// Where the time goes, read from Temporal histories (server timestamps): a
// start split into its legs, and an event's way from the account workflow to
// the journey's branch.
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import { eventsSignal } from '../../workflows/account-messages';
import { journeyEventsSignal, journeyWorkflowId } from '../../workflows/journey-messages';
import { forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';
import { sampleEvenly, summarize } from '../stats';

/** Histories read to split a start into its legs, and how many at a time. */
const HISTORY_SAMPLES = 200;
const HISTORY_IN_FLIGHT = 8;

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];
const timeOf = (e: HistoryEvent) => tsToMs(e.eventTime);
const idOf = (e: HistoryEvent) => Number(e.eventId);

interface Leg {
  /** The anchor: the workflow's start, or the signal that woke it. */
  at: number;
  firstTaskStarted?: number;
  firstTaskCompleted?: number;
  activity?: { name: string; scheduled: number; started?: number; completed?: number };
  /** The projection write ran as a local activity within the first task (recorded when that task completed). */
  recordedInTask?: number;
}

/** From the anchor event on: the first workflow task, and the first activity (or local activity, a marker) with its start and completion. */
function legAfter(events: HistoryEvent[], anchor: number): Leg {
  const at = timeOf(events[anchor]);
  const leg: Leg = { at };
  let activityId: number | undefined;
  for (let i = anchor + 1; i < events.length; i++) {
    const e = events[i];
    if (e.workflowTaskStartedEventAttributes && leg.firstTaskStarted === undefined) leg.firstTaskStarted = timeOf(e);
    else if (e.workflowTaskCompletedEventAttributes && leg.firstTaskCompleted === undefined) leg.firstTaskCompleted = timeOf(e);
    else if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity' && activityId === undefined) {
      leg.recordedInTask = timeOf(e);
      break;
    } else if (e.activityTaskScheduledEventAttributes && activityId === undefined) {
      activityId = idOf(e);
      leg.activity = { name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', scheduled: timeOf(e) };
    } else if (e.activityTaskStartedEventAttributes && activityId !== undefined && Number(e.activityTaskStartedEventAttributes.scheduledEventId) === activityId) leg.activity!.started = timeOf(e);
    else if (e.activityTaskCompletedEventAttributes && activityId !== undefined && Number(e.activityTaskCompletedEventAttributes.scheduledEventId) === activityId) {
      leg.activity!.completed = timeOf(e);
      break;
    }
  }
  return leg;
}

const events = (h: History) => (h.events ?? []) as HistoryEvent[];
const fetchHistory = (stack: BenchStack, workflowId: string) => within(stack.client.workflow.getHandle(workflowId).fetchHistory(), 30000, `fetching the history of ${workflowId}`);

/** A start, split into its legs, for instances sampled evenly over the launch order. */
export async function startLegs(stack: BenchStack, journeyId: string, accountKeys: string[], launchStart: number) {
  const sampled = sampleEvenly(accountKeys, HISTORY_SAMPLES);
  const acceptedAfter: number[] = [];
  const firstTaskQueue: number[] = [];
  const firstTaskRun: number[] = [];
  const recordQueue: number[] = [];
  const recordRun: number[] = [];
  const startToRecorded: number[] = [];
  let failed = 0;
  await forEachLimit(sampled, HISTORY_IN_FLIGHT, async (key) => {
    try {
      const evs = events(await fetchHistory(stack, journeyWorkflowId(journeyId, key)));
      const started = evs.findIndex((e) => e.workflowExecutionStartedEventAttributes);
      if (started < 0) throw new Error('no start event');
      const leg = legAfter(evs, started);
      acceptedAfter.push(leg.at - launchStart);
      if (leg.firstTaskStarted !== undefined) firstTaskQueue.push(leg.firstTaskStarted - leg.at);
      if (leg.firstTaskStarted !== undefined && leg.firstTaskCompleted !== undefined) firstTaskRun.push(leg.firstTaskCompleted - leg.firstTaskStarted);
      const act = leg.activity;
      if (act?.started !== undefined) recordQueue.push(act.started - act.scheduled);
      if (act?.started !== undefined && act.completed !== undefined) recordRun.push(act.completed - act.started);
      const recorded = act?.completed ?? leg.recordedInTask;
      if (recorded !== undefined) startToRecorded.push(recorded - leg.at);
    } catch {
      failed++;
    }
  });
  return {
    sampledInstances: sampled.length,
    historiesUnread: failed,
    /** When Temporal accepted the start, after the launch began: the submission timeline. */
    startAcceptedAfterLaunchMs: summarize(acceptedAfter),
    /** Start accepted → the worker picks up its first workflow task (task queue backlog). */
    firstWorkflowTaskQueueMs: summarize(firstTaskQueue),
    firstWorkflowTaskRunMs: summarize(firstTaskRun),
    /** recordJourneyStep (the projection write) as an activity task: scheduled → picked up (activity backlog), and its run; none when it runs locally. */
    recordActivityQueueMs: summarize(recordQueue),
    recordActivityRunMs: summarize(recordRun),
    /** Start accepted → the projection says waiting. */
    startToRecordedWaitingMs: summarize(startToRecorded),
  };
}

/** An event sent to an account's journey instance, and when the instance was seen at the branch. */
export interface SentEvent {
  accountKey: string;
  workflowId: string;
  sentAt?: number;
  branchedAt?: number;
}

/** The legs of each event: account signal, applyEvents, journey signal, the journey's projection write. */
export async function eventLegs(stack: BenchStack, targets: SentEvent[]) {
  const accountSignalled: number[] = [];
  const accountTaskQueue: number[] = [];
  const accountTaskRun: number[] = [];
  const applyQueue: number[] = [];
  const applyRun: number[] = [];
  const journeySignalled: number[] = [];
  const journeyTaskQueue: number[] = [];
  const journeyTaskRun: number[] = [];
  const branchDecided: number[] = [];
  const recordQueue: number[] = [];
  const recordRun: number[] = [];
  const journeyRecorded: number[] = [];
  const accountEvents: number[] = [];
  const journeyEvents: number[] = [];
  let failed = 0;
  const resolved = targets.filter((t) => t.branchedAt !== undefined);
  await forEachLimit(resolved, HISTORY_IN_FLIGHT, async (t) => {
    const sentAt = t.sentAt!;
    try {
      const acc = events(await fetchHistory(stack, `account:${t.accountKey}`));
      accountEvents.push(acc.length);
      const sig = acc.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === eventsSignal.name && timeOf(e) >= sentAt);
      if (sig >= 0) {
        const leg = legAfter(acc, sig);
        accountSignalled.push(leg.at - sentAt);
        if (leg.firstTaskStarted !== undefined) accountTaskQueue.push(leg.firstTaskStarted - leg.at);
        if (leg.firstTaskStarted !== undefined && leg.firstTaskCompleted !== undefined) accountTaskRun.push(leg.firstTaskCompleted - leg.firstTaskStarted);
        if (leg.activity?.started !== undefined) applyQueue.push(leg.activity.started - leg.activity.scheduled);
        if (leg.activity?.started !== undefined && leg.activity.completed !== undefined) applyRun.push(leg.activity.completed - leg.activity.started);
      }
      const jny = events(await fetchHistory(stack, t.workflowId));
      journeyEvents.push(jny.length);
      const jsig = jny.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === journeyEventsSignal.name && timeOf(e) >= sentAt);
      if (jsig >= 0) {
        const leg = legAfter(jny, jsig);
        journeySignalled.push(leg.at - sentAt);
        if (leg.firstTaskStarted !== undefined) journeyTaskQueue.push(leg.firstTaskStarted - leg.at);
        if (leg.firstTaskStarted !== undefined && leg.firstTaskCompleted !== undefined) journeyTaskRun.push(leg.firstTaskCompleted - leg.firstTaskStarted);
        if (leg.firstTaskCompleted !== undefined) branchDecided.push(leg.firstTaskCompleted - sentAt);
        const act = leg.activity;
        if (act?.started !== undefined) recordQueue.push(act.started - act.scheduled);
        if (act?.started !== undefined && act.completed !== undefined) recordRun.push(act.completed - act.started);
        const recorded = act?.completed ?? leg.recordedInTask;
        if (recorded !== undefined) journeyRecorded.push(recorded - sentAt);
      }
    } catch {
      failed++;
    }
  });
  return {
    historiesRead: resolved.length - failed,
    historiesUnread: failed,
    /** Each history's length once the event was handled: what a replay of an evicted workflow goes through. */
    accountHistoryEvents: summarize(accountEvents),
    journeyHistoryEvents: summarize(journeyEvents),
    /** Sent → the account workflow has the event (the POST's own work ends about here). */
    accountSignalledAfterMs: summarize(accountSignalled),
    /** Account signal → its workflow task picked up, and that task's run (replayed when out of the cache). */
    accountTaskQueueMs: summarize(accountTaskQueue),
    accountTaskRunMs: summarize(accountTaskRun),
    /** applyEvents: scheduled → picked up, and its run (scoring, segments, then the signal to the journeys). */
    applyEventsQueueMs: summarize(applyQueue),
    applyEventsRunMs: summarize(applyRun),
    /** Sent → the journey workflow has the event. */
    journeySignalledAfterMs: summarize(journeySignalled),
    /** Journey signal → its workflow task picked up, and that task's run (a workflow out of the cache is replayed in it). */
    journeyTaskQueueMs: summarize(journeyTaskQueue),
    journeyTaskRunMs: summarize(journeyTaskRun),
    /** Sent → the workflow has taken the branch (the task that schedules the 'hot' step completed). */
    branchDecidedAfterMs: summarize(branchDecided),
    /** recordJourneyStep for 'hot' as an activity task: scheduled → picked up (activity backlog), and its run; none when it runs locally. */
    recordActivityQueueMs: summarize(recordQueue),
    recordActivityRunMs: summarize(recordRun),
    /** Sent → the projection says 'hot' (recordJourneyStep completed, or the task that ran it locally). */
    journeyRecordedAfterMs: summarize(journeyRecorded),
  };
}

