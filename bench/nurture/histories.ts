// Where a cast's time goes, read from a sample of the casting people's Temporal
// histories (server clocks): the activities and workflow tasks a cast takes,
// how long each waited for a worker slot and ran, and how far apart one
// person's casts really were (the cadence asks for 10 s after the last send).
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import { nurtureWorkflowId } from '../../workflows/nurture-messages';
import { forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';
import { round, sampleEvenly, summarize } from '../stats';

const SAMPLES = 100;
const IN_FLIGHT = 4;

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
const at = (e: HistoryEvent) => tsToMs(e.eventTime);

class Spans {
  private readonly byName = new Map<string, { count: number; queued: number[]; run: number[] }>();
  add(name: string, queued?: number, run?: number) {
    let s = this.byName.get(name);
    if (!s) this.byName.set(name, (s = { count: 0, queued: [], run: [] }));
    s.count++;
    if (queued !== undefined) s.queued.push(queued);
    if (run !== undefined) s.run.push(run);
  }
  figures(casts: number) {
    return Object.fromEntries([...this.byName].map(([name, s]) => [name, { perCast: round(s.count / Math.max(1, casts)), queuedMs: summarize(s.queued), runMs: summarize(s.run) }]));
  }
}

/** One history's activities (by type) and workflow tasks, each with its wait for a slot and its run; its casts' completion times. */
function read(events: HistoryEvent[], spans: Spans): number[] {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const castsDone: number[] = [];
  for (const e of events) {
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const scheduled = byId.get(Number(done.scheduledEventId));
      const started = byId.get(Number(done.startedEventId));
      const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
      spans.add(name, scheduled && started ? at(started) - at(scheduled) : undefined, started ? at(e) - at(started) : undefined);
      if (name === 'castNurtureCampaign') castsDone.push(at(e));
    }
    const task = e.workflowTaskCompletedEventAttributes;
    if (task) {
      const scheduled = byId.get(Number(task.scheduledEventId));
      const started = byId.get(Number(task.startedEventId));
      spans.add('(workflow task)', scheduled && started ? at(started) - at(scheduled) : undefined, started ? at(e) - at(started) : undefined);
    }
    if (e.timerStartedEventAttributes) spans.add('(timer)');
  }
  return castsDone;
}

/** People sampled evenly over the enrolment order. */
export async function castLegs(stack: BenchStack, streamId: string, personIds: string[]) {
  const sampled = sampleEvenly(personIds, SAMPLES);
  const spans = new Spans();
  const apart: number[] = [];
  let [casts, unread] = [0, 0];
  await forEachLimit(sampled, IN_FLIGHT, async (personId) => {
    try {
      const history = await within(stack.client.workflow.getHandle(nurtureWorkflowId(streamId, personId)).fetchHistory(), 30000, 'fetching a history');
      const done = read((history.events ?? []) as HistoryEvent[], spans);
      casts += done.length;
      for (let i = 1; i < done.length; i++) apart.push(done[i] - done[i - 1]);
    } catch {
      unread++;
    }
  });
  return {
    sampledPeople: sampled.length,
    unread,
    castsInSample: casts,
    /** Per cast (a workflow run's totals over its casts, the cast under way included), and each one's wait for a worker slot and its run. */
    perCast: spans.figures(casts),
    /** One person's cast to their next (castNurtureCampaign completed to completed); the cadence asks for 10 s after the last send. */
    castToNextCastMs: summarize(apart),
  };
}
