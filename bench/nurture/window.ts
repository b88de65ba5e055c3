// The casting window: a bounded stretch with everyone enrolled and due, in
// which nothing is counted but watched. What it sustained is read afterwards:
// the SMTP server's arrival times (sent) and the stream's outbound messages
// (type 'nurture', createdAt: cast), per minute. While it runs: this process's
// database statements, CPU and event-loop delay, the worker's slots and cache.
import { nurtureOrigin } from '../../domain/nurture/stats';
import { OutboundMessage } from '../../models/outbound-message';
import { timeQueries } from '../email/queries';
import { processLoad } from '../load';
import { sleep, within } from '../scenario';
import type { BenchStack } from '../stack';
import { round, summarize } from '../stats';
import { mainQueue } from './queue';

const MINUTE = 60000;
const SAMPLE_MS = 5000;

export interface CastMessage {
  createdAt: Date;
  sentAt?: Date | null;
  status: string;
  type: string;
}

/** The stream's outbound messages: one equality read on their top-level origin. */
export const castMessages = async (streamId: string): Promise<CastMessage[]> =>
  within(OutboundMessage.find({ origin: nurtureOrigin(streamId) }, { createdAt: 1, sentAt: 1, status: 1, type: 1 }).lean(), 120000, 'reading the casts') as Promise<CastMessage[]>;

/** How many of `times` fall in each whole minute from `from` (the last one partial if `to` cuts it). */
export function perMinute(times: number[], from: number, to: number): number[] {
  const buckets = Array.from({ length: Math.max(1, Math.ceil((to - from) / MINUTE)) }, () => 0);
  for (const t of times) if (t >= from && t < to) buckets[Math.floor((t - from) / MINUTE)]++;
  return buckets;
}

const inWindow = (times: number[], from: number, to: number) => times.filter((t) => t >= from && t < to).length;

/** Watches the worker for `ms`; answers what was cast and sent in that time, per minute. */
export async function castWindow(stack: BenchStack, streamId: string, ms: number, log: (line: string) => void) {
  const queries = timeQueries();
  const load = processLoad(stack.config.DATA_DIR);
  const from = Date.now();
  const to = from + ms;
  const activities: number[] = [];
  const activations: number[] = [];
  let [peakRss, peakCached] = [0, 0];
  let lastLog = from;
  let lastSent = (await stack.smtp.stats()).distinct;
  const queue = [await mainQueue(stack)];
  while (Date.now() < to) {
    await sleep(Math.min(SAMPLE_MS, Math.max(0, to - Date.now())));
    const s = stack.worker.getStatus();
    activities.push(s.numInFlightActivities);
    activations.push(s.numInFlightWorkflowActivations);
    peakCached = Math.max(peakCached, s.numCachedWorkflows);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (Date.now() - lastLog >= MINUTE || Date.now() >= to) {
      const sent = (await stack.smtp.stats()).distinct;
      const q = await mainQueue(stack);
      queue.push(q);
      log(`nurture: window ${((Date.now() - from) / 1000).toFixed(0)}/${ms / 1000} s: ${sent - lastSent} sent in the last ${((Date.now() - lastLog) / 1000).toFixed(0)} s; ${s.numCachedWorkflows} cached; workflow tasks waiting ${q.workflowTasks?.backlog ?? '?'} (oldest ${q.workflowTasks?.backlogAgeS ?? '?'} s), handed out ${q.workflowTasks?.dispatchedPerSecond ?? '?'}/s`);
      [lastSent, lastLog] = [sent, Date.now()];
    }
  }
  const phaseLoad = load();
  const arrivals = await stack.smtp.arrivals();
  const messages = await castMessages(streamId);
  const created = messages.map((m) => m.createdAt.getTime());
  const cast = inWindow(created, from, to);
  const sent = inWindow(arrivals, from, to);
  const minutes = ms / MINUTE;
  return {
    from,
    to,
    figures: {
      windowMs: ms,
      /** Outbound messages of type 'nurture' the stream recorded in the window (one a cast), a minute. */
      castsPerMinute: round(cast / minutes),
      /** Distinct Message-IDs the SMTP server received in the window, a minute. */
      sentPerMinute: round(sent / minutes),
      castInWindow: cast,
      sentInWindow: sent,
      castPerWholeMinute: perMinute(created, from, to),
      sentPerWholeMinute: perMinute(arrivals, from, to),
      databaseStatements: queries(Math.max(1, cast)),
      /** The main task queue at the start and every minute (the server's approximate figures). */
      mainTaskQueue: queue,
      worker: {
        inFlightActivities: summarize(activities),
        inFlightWorkflowActivations: summarize(activations),
        peakCachedWorkflows: peakCached,
        peakRssMB: round(peakRss / 1048576),
      },
      /** This process (API, worker, its workflow threads, the bench), the stack's servers, the machine. */
      process: phaseLoad,
    },
    messages,
    arrivals,
  };
}
