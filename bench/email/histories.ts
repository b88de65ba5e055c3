// Where a message's time goes, read from Temporal histories (server clocks):
// a sample of delivery workflows split into their legs, and each account's
// journey workflow, whose sendEmail action records the account's messages and
// starts one delivery workflow per message.
import { tsToMs } from '@temporalio/common';
import { deliveryWorkflowId } from '../../workflows/delivery';
import { journeyWorkflowId } from '../../workflows/journey-messages';
import { forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';
import { summarize } from '../stats';

const SAMPLES = 200;
const IN_FLIGHT = 8;

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<BenchStack['client']['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

async function historyOf(stack: BenchStack, workflowId: string): Promise<HistoryEvent[]> {
  const history = await within(stack.client.workflow.getHandle(workflowId).fetchHistory(), 30000, `fetching the history of ${workflowId}`);
  return (history.events ?? []) as HistoryEvent[];
}

/** The times of a workflow's start, its first task, the first run of the named activity and its end. */
function marks(events: HistoryEvent[], activity: string) {
  const at = (e: HistoryEvent | undefined) => (e ? tsToMs(e.eventTime) : undefined);
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity);
  const of = (id: unknown) => scheduled !== undefined && Number(id) === Number(scheduled.eventId);
  const started = events.find((e) => of(e.activityTaskStartedEventAttributes?.scheduledEventId));
  return {
    started: at(events.find((e) => e.workflowExecutionStartedEventAttributes)),
    taskStarted: at(events.find((e) => e.workflowTaskStartedEventAttributes)),
    taskCompleted: at(events.find((e) => e.workflowTaskCompletedEventAttributes)),
    activityScheduled: at(scheduled),
    activityStarted: at(started),
    activityCompleted: at(events.find((e) => of(e.activityTaskCompletedEventAttributes?.scheduledEventId))),
    activityAttempts: started?.activityTaskStartedEventAttributes?.attempt ?? null,
    closed: at(events.find((e) => e.workflowExecutionCompletedEventAttributes)),
  };
}

/** Collects b - a of each sample where both are known. */
function legs<K extends string>(names: Record<K, [string, string]>) {
  const out = Object.fromEntries(Object.keys(names).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  return {
    add(m: Record<string, number | undefined | null>) {
      for (const [k, [a, b]] of Object.entries(names) as [K, [string, string]][]) {
        const [x, y] = [m[a], m[b]];
        if (typeof x === 'number' && typeof y === 'number') out[k].push(y - x);
      }
    },
    summaries: () => Object.fromEntries(Object.entries(out).map(([k, v]) => [k, summarize(v as number[])])) as Record<K, ReturnType<typeof summarize>>,
  };
}

/** Delivery workflows sampled evenly over the messages (their ids and when each was recorded). */
export async function deliveryLegs(stack: BenchStack, messages: { _id: string; createdAt: Date }[]) {
  const step = Math.max(1, Math.floor(messages.length / SAMPLES));
  const sampled = messages.filter((_, i) => i % step === 0).slice(0, SAMPLES);
  const l = legs({
    recordedToStartAccepted: ['recorded', 'started'],
    firstTaskQueued: ['started', 'taskStarted'],
    firstTaskRun: ['taskStarted', 'taskCompleted'],
    deliverEmailQueued: ['activityScheduled', 'activityStarted'],
    deliverEmailRun: ['activityStarted', 'activityCompleted'],
    completedToClosed: ['activityCompleted', 'closed'],
    recordedToClosed: ['recorded', 'closed'],
  });
  let retried = 0;
  let unread = 0;
  await forEachLimit(sampled, IN_FLIGHT, async (m) => {
    try {
      const marked = marks(await historyOf(stack, deliveryWorkflowId(m._id)), 'deliverEmail');
      if ((marked.activityAttempts ?? 1) > 1) retried++;
      l.add({ ...marked, recorded: m.createdAt.getTime() });
    } catch {
      unread++;
    }
  });
  return { sampled: sampled.length, unread, deliverEmailRetried: retried, ...l.summaries() };
}

/** Each account's journey workflow: its start and its sendEmail action (recording the messages and starting their deliveries). */
export async function journeyLegs(stack: BenchStack, journeyId: string, accountKeys: string[], launchedAt: number) {
  const l = legs({
    launchToStartAccepted: ['launched', 'started'],
    firstTaskQueued: ['started', 'taskStarted'],
    sendEmailQueued: ['activityScheduled', 'activityStarted'],
    sendEmailRun: ['activityStarted', 'activityCompleted'],
    launchToSendEmailDone: ['launched', 'activityCompleted'],
  });
  let unread = 0;
  await forEachLimit(accountKeys.slice(0, SAMPLES), IN_FLIGHT, async (key) => {
    try {
      l.add({ ...marks(await historyOf(stack, journeyWorkflowId(journeyId, key)), 'runJourneyAction'), launched: launchedAt });
    } catch {
      unread++;
    }
  });
  return { accounts: Math.min(SAMPLES, accountKeys.length), unread, ...l.summaries() };
}
