// Where the CRM lane's time goes, from its dispatcher's Temporal histories
// (every run of dispatch:crm:<connection>, server clocks), per phase window:
// how long each claim and each deliverCrmRecords batch waited and ran, the
// rate pauses (timers) between batches, and what share of the window each took
// (a span belongs to the window it was scheduled in).
import { tsToMs } from '@temporalio/common';
import { dispatcherId, type Lane } from '../../domain/delivery/lanes';
import { within } from '../scenario';
import type { BenchStack } from '../stack';
import { round, summarize } from '../stats';

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<BenchStack['client']['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

async function allRuns(stack: BenchStack, workflowId: string): Promise<HistoryEvent[]> {
  const runIds: (string | undefined)[] = [];
  try {
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runIds.push(wf.runId);
  } catch {
    runIds.push(undefined);
  }
  if (!runIds.length) runIds.push(undefined);
  const events: HistoryEvent[] = [];
  for (const runId of runIds) {
    const history = await within(stack.client.workflow.getHandle(workflowId, runId).fetchHistory(), 60000, `fetching the history of ${workflowId}`).catch(() => undefined);
    events.push(...((history?.events ?? []) as HistoryEvent[]));
  }
  return events;
}

export async function dispatcherLegs(stack: BenchStack, lane: Lane, windows: Record<string, { from: number; to: number }>) {
  const events = await allRuns(stack, dispatcherId(lane));
  const at = (e: HistoryEvent) => tsToMs(e.eventTime);
  // Event ids restart with each run: pair events by run, i.e. in the order fetched, with ids per run.
  const spans: { name: string; scheduled: number; started: number; ended: number }[] = [];
  let byId = new Map<number, HistoryEvent>();
  for (const e of events) {
    if (e.workflowExecutionStartedEventAttributes) byId = new Map();
    byId.set(Number(e.eventId), e);
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    if (done) {
      const scheduled = byId.get(Number(done.scheduledEventId));
      const started = byId.get(Number(done.startedEventId));
      const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name;
      if (scheduled && started && name) spans.push({ name: e.activityTaskFailedEventAttributes ? `${name}(failed)` : name, scheduled: at(scheduled), started: at(started), ended: at(e) });
    }
    const fired = e.timerFiredEventAttributes;
    if (fired) {
      const startedTimer = byId.get(Number(fired.startedEventId));
      if (startedTimer) spans.push({ name: 'pause', scheduled: at(startedTimer), started: at(startedTimer), ended: at(e) });
    }
  }
  return Object.fromEntries(
    Object.entries(windows).map(([phase, w]) => {
      const inWindow = spans.filter((s) => s.scheduled >= w.from && s.scheduled <= w.to);
      const names = [...new Set(inWindow.map((s) => s.name))];
      const windowMs = w.to - w.from;
      return [
        phase,
        {
          windowMs,
          ...Object.fromEntries(
            names.map((name) => {
              const of = inWindow.filter((s) => s.name === name);
              const runMs = of.map((s) => s.ended - s.started);
              const total = runMs.reduce((a, b) => a + b, 0);
              return [name, { count: of.length, queued: summarize(of.map((s) => s.started - s.scheduled)), run: summarize(runMs), runTotalMs: total, shareOfWindow: round((total / windowMs) * 100) / 100 }];
            }),
          ),
        },
      ];
    }),
  );
}
