// The apply side from Temporal's histories (server timestamps): for a sample
// of the run's account workflows, each applyEvents call's events, its wait
// (an activity: scheduled → started; a local one: its workflow task's
// scheduled → started) and its run (started → completed; a local one: its
// task started → its marker).
import { tsToMs } from '@temporalio/common';
import { localActivityType } from '../local-activities';
import { forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';
import { sampleEvenly, summarize } from '../stats';
import type { SeedAccount } from './seed';

const SAMPLES = 40;
const IN_FLIGHT = 4;

/** The calls scheduled between `from` and `to` (epoch ms). */
export async function applyCalls(stack: BenchStack, accounts: SeedAccount[], from: number, to: number) {
  const sampled = sampleEvenly(accounts, SAMPLES);
  const eventsPerCall: number[] = [];
  const queueMs: number[] = [];
  const runMs: number[] = [];
  const perEventMs: number[] = [];
  const calls: number[] = [];
  let unread = 0;
  await forEachLimit(sampled, IN_FLIGHT, async (a) => {
    try {
      const history = await within(stack.client.workflow.getHandle(`account:${a.key}`).fetchHistory(), 30000, 'fetching a history');
      const scheduled = new Map<number, { at: number; events: number }>();
      const started = new Map<number, number>();
      let n = 0;
      const record = (events: number, queued: number, run: number) => {
        n++;
        eventsPerCall.push(events);
        queueMs.push(queued);
        runMs.push(run);
        if (events > 0) perEventMs.push(run / events);
      };
      // A local apply's input is not in its marker: its events are those signalled since the last apply.
      let signalled = 0;
      let task = { scheduled: 0, started: 0 };
      for (const e of history.events ?? []) {
        const at = tsToMs(e.eventTime);
        const s = e.activityTaskScheduledEventAttributes;
        if (e.workflowExecutionSignaledEventAttributes) signalled += payloadEvents(e.workflowExecutionSignaledEventAttributes.input?.payloads?.[0]?.data, 'array');
        else if (e.workflowTaskScheduledEventAttributes) task = { scheduled: at, started: at };
        else if (e.workflowTaskStartedEventAttributes) task = { ...task, started: at };
        else if (localActivityType(e) === 'applyEvents') {
          if (at >= from && at <= to) record(signalled, task.started - task.scheduled, at - task.started);
          signalled = 0;
        } else if (s && s.activityType?.name === 'applyEvents') {
          if (at >= from && at <= to) scheduled.set(Number(e.eventId), { at, events: payloadEvents(s.input?.payloads?.[0]?.data, 'input') });
          signalled = 0;
        } else if (e.activityTaskStartedEventAttributes && scheduled.has(Number(e.activityTaskStartedEventAttributes.scheduledEventId))) {
          started.set(Number(e.activityTaskStartedEventAttributes.scheduledEventId), at);
        } else if (e.activityTaskCompletedEventAttributes && scheduled.has(Number(e.activityTaskCompletedEventAttributes.scheduledEventId))) {
          const id = Number(e.activityTaskCompletedEventAttributes.scheduledEventId);
          const st = started.get(id);
          if (st !== undefined) record(scheduled.get(id)!.events, st - scheduled.get(id)!.at, at - st);
        }
      }
      calls.push(n);
    } catch {
      unread++;
    }
  });
  return {
    sampledAccounts: sampled.length,
    historiesUnread: unread,
    applyEventsCallsPerAccount: summarize(calls),
    eventsPerCall: summarize(eventsPerCall),
    /** Scheduled → a worker slot took it (a local apply: its workflow task's wait). */
    queueMs: summarize(queueMs),
    /** Started → completed: the activity's own time (statements, scoring, segments, signals). */
    runMs: summarize(runMs),
    runMsPerEvent: summarize(perEventMs),
  };
}

/** The events an apply's input (`{ events }`) or an events signal (the array itself) carries; 0 if not JSON. */
function payloadEvents(data: Uint8Array | null | undefined, shape: 'input' | 'array'): number {
  try {
    const value = JSON.parse(Buffer.from(data ?? []).toString('utf8')) as unknown;
    return (shape === 'array' ? (value as unknown[]).length : (value as { events?: unknown[] }).events?.length) ?? 0;
  } catch {
    return 0;
  }
}
