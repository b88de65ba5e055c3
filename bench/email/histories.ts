// Where a message's time goes, read from Temporal histories (server clocks):
// the email lane's dispatcher (claims and batches), and each account's journey
// workflow, whose sendEmail action records the account's messages and wakes
// the dispatcher.
import { tsToMs } from '@temporalio/common';
import { dispatcherId } from '../../domain/delivery/lanes';
import { journeyWorkflowId } from '../../workflows/journey-messages';
import { localActivityType } from '../local-activities';
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

/**
 * The times of a workflow's start, its first task, and the end of the named
 * local activity's run: the first task runs it, and it is recorded when that
 * task completes.
 */
function marks(events: HistoryEvent[], localActivity: string) {
  const at = (e: HistoryEvent | undefined) => (e ? tsToMs(e.eventTime) : undefined);
  return {
    started: at(events.find((e) => e.workflowExecutionStartedEventAttributes)),
    taskStarted: at(events.find((e) => e.workflowTaskStartedEventAttributes)),
    taskCompleted: at(events.find((e) => e.workflowTaskCompletedEventAttributes)),
    activityCompleted: at(events.find((e) => localActivityType(e) === localActivity)),
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

/** The email lane's dispatcher (its current run): how long its claims took, and its batches waited for the rate-limited queue and ran. */
export async function dispatcherLegs(stack: BenchStack) {
  const events = await historyOf(stack, dispatcherId('email'));
  const at = (e: HistoryEvent) => tsToMs(e.eventTime);
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const spans: Record<string, { queued: number[]; run: number[] }> = {};
  for (const e of events) {
    const done = e.activityTaskCompletedEventAttributes;
    if (!done) continue;
    const scheduled = byId.get(Number(done.scheduledEventId));
    const started = byId.get(Number(done.startedEventId));
    const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name;
    if (!scheduled || !started || !name) continue;
    spans[name] ??= { queued: [], run: [] };
    spans[name].queued.push(at(started) - at(scheduled));
    spans[name].run.push(at(e) - at(started));
  }
  return Object.fromEntries(Object.entries(spans).map(([name, s]) => [name, { queued: summarize(s.queued), run: summarize(s.run) }]));
}

/** Each account's journey workflow: its start and its sendEmail action (recording the messages and starting their deliveries). */
export async function journeyLegs(stack: BenchStack, journeyId: string, accountKeys: string[], launchedAt: number) {
  const l = legs({
    launchToStartAccepted: ['launched', 'started'],
    firstTaskQueued: ['started', 'taskStarted'],
    firstTaskRun: ['taskStarted', 'taskCompleted'],
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
