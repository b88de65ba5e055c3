// The apply side from Temporal's histories (server timestamps): for a sample
// of the run's account workflows, each applyEvents call's events, its wait for
// a worker slot (scheduled → started) and its run (started → completed).
import { tsToMs } from '@temporalio/common';
import { forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';
import { sampleEvenly, summarize } from '../stats';
import type { SeedAccount } from './seed';

const SAMPLES = 40;
const IN_FLIGHT = 4;

/** The calls scheduled between `from` and `to` (epoch ms). */
export async function applyCalls(stack: BenchStack, accounts: SeedAccount[], from: number, to: number) {
  const sampled = sampleEvenly(accounts, SAMPLES);
  const events: number[] = [];
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
      for (const e of history.events ?? []) {
        const at = tsToMs(e.eventTime);
        const s = e.activityTaskScheduledEventAttributes;
        if (s && s.activityType?.name === 'applyEvents' && at >= from && at <= to) {
          const payload = s.input?.payloads?.[0]?.data;
          let count = 0;
          try {
            count = (JSON.parse(Buffer.from(payload ?? []).toString('utf8')) as { events?: unknown[] }).events?.length ?? 0;
          } catch {
            // not JSON: counted as 0
          }
          scheduled.set(Number(e.eventId), { at, events: count });
        } else if (e.activityTaskStartedEventAttributes && scheduled.has(Number(e.activityTaskStartedEventAttributes.scheduledEventId))) {
          started.set(Number(e.activityTaskStartedEventAttributes.scheduledEventId), at);
        } else if (e.activityTaskCompletedEventAttributes && scheduled.has(Number(e.activityTaskCompletedEventAttributes.scheduledEventId))) {
          const id = Number(e.activityTaskCompletedEventAttributes.scheduledEventId);
          const sch = scheduled.get(id)!;
          const st = started.get(id);
          if (st === undefined) continue;
          n++;
          events.push(sch.events);
          queueMs.push(st - sch.at);
          runMs.push(at - st);
          if (sch.events > 0) perEventMs.push((at - st) / sch.events);
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
    eventsPerCall: summarize(events),
    /** Scheduled → a worker slot took it. */
    queueMs: summarize(queueMs),
    /** Started → completed: the activity's own time (statements, scoring, segments, signals). */
    runMs: summarize(runMs),
    runMsPerEvent: summarize(perEventMs),
  };
}
