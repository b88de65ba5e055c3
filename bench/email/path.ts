// The measured path: one launch request for every account; each journey
// instance's sendEmail records its account's messages and starts a delivery
// workflow per message; each delivery checks suppressions, consent and caps,
// renders and sends through the worker's pooled transport. Timed from the
// request until the SMTP server holds N distinct Message-IDs.
import { OutboundMessage } from '../../models/outbound-message';
import { processLoad } from '../load';
import { expectStatus, forEachLimit, sleep, waitForProgress, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, round, summarize } from '../stats';
import { timeQueries } from './queries';

const POLL_MS = 250;
/** Nothing arriving for this long is a stuck path, not a slow one. */
const STALL_MS = 120000;
const MAX_MS = 3600000;
/** After the last expected message: how long no message must arrive before copies are counted (a late duplicate would be one). */
const QUIET_MS = 5000;
const QUIET_MAX_MS = 60000;

/** Waits until the server has received nothing new for QUIET_MS (bounded). */
async function quiet(stack: BenchStack): Promise<void> {
  const deadline = Date.now() + QUIET_MAX_MS;
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const s = await stack.smtp.stats();
    const seen = s.distinct + s.duplicates + s.withoutId;
    if (seen !== last) [last, since] = [seen, Date.now()];
    else if (Date.now() - since >= QUIET_MS) return;
    await sleep(POLL_MS);
  }
}

/** When the q-th fraction of the arrivals had come, after `from`. */
const arrivedAt = (arrivals: number[], q: number, from: number) => (arrivals.length ? arrivals[Math.min(arrivals.length - 1, Math.max(0, Math.ceil(q * arrivals.length) - 1))] - from : NaN);

export async function throughJourney(stack: BenchStack, journeyId: string, accountKeys: string[], n: number, log: (line: string) => void) {
  await stack.smtp.reset();
  const load = processLoad(stack.config.DATA_DIR);
  const queries = timeQueries();
  const launchedAt = Date.now();
  const res = await stack.api('POST', `/v1/journeys/${journeyId}/launch`, { accountKeys });
  const answerMs = Date.now() - launchedAt;
  expectStatus(res, [202], 'POST /v1/journeys/:id/launch');
  let logged = 0;
  const settled = await waitForProgress(
    async () => {
      const { distinct } = await stack.smtp.stats();
      if (distinct - logged >= n / 10) log(`email: ${(logged = distinct)}/${n} arrived after ${((Date.now() - launchedAt) / 1000).toFixed(1)} s`);
      return distinct;
    },
    (d) => d >= n,
    { stallMs: STALL_MS, maxMs: MAX_MS, everyMs: POLL_MS },
  );
  const statements = queries(n);
  const phaseLoad = load();
  await quiet(stack);
  const sink = await stack.smtp.stats();
  const arrivals = await stack.smtp.arrivals();
  const job = await stack.api('GET', `/v1/journeys/${journeyId}/jobs/${res.body.jobId}`);
  const ms = (sink.lastAt ?? Date.now()) - launchedAt;
  return {
    figures: {
      arrived: sink.distinct,
      complete: settled.done,
      duplicates: sink.duplicates,
      withoutMessageId: sink.withoutId,
      ms,
      perSecond: ratePerSecond(sink.distinct, ms),
      meanBytes: round(sink.bytes / Math.max(1, sink.distinct + sink.duplicates)),
      launchAnswerMs: answerMs,
      launchJob: { status: job.body.status, total: job.body.total, done: job.body.done, finishedAfterMs: job.body.finishedAt ? Date.parse(job.body.finishedAt) - launchedAt : null },
      /** After the request: the first message, and when 10 / 50 / 90 % of them had arrived. */
      arrivalsAfterMs: { first: arrivedAt(arrivals, 0, launchedAt), p10: arrivedAt(arrivals, 0.1, launchedAt), p50: arrivedAt(arrivals, 0.5, launchedAt), p90: arrivedAt(arrivals, 0.9, launchedAt), last: arrivedAt(arrivals, 1, launchedAt) },
      /** Between the 10th and the 90th percentile of arrivals: the rate once the path is busy. */
      steadyPerSecond: ratePerSecond(Math.floor(0.8 * arrivals.length), arrivedAt(arrivals, 0.9, 0) - arrivedAt(arrivals, 0.1, 0)),
      databaseStatements: statements,
      /** This process (API, worker, its workflow threads, the bench), the stack's servers, the machine. */
      process: phaseLoad,
    },
    launchedAt,
  };
}

/** The path's outbound messages as recorded: how many in each status, retried ones, and when they were recorded and sent. */
export async function readBack(journeyId: string, accountKeys: string[], launchedAt: number) {
  const messages: { _id: string; status: string; attempts: unknown[]; createdAt: Date; sentAt?: Date | null }[] = [];
  // One equality read per account: `$in` is a full decode on the embedded database.
  await forEachLimit(accountKeys, 4, async (accountKey) => {
    const found = await within(OutboundMessage.find({ accountKey }, { status: 1, attempts: 1, createdAt: 1, sentAt: 1, 'payload.journeyId': 1 }).lean(), 60000, 'reading outbound messages');
    messages.push(...found.filter((m) => (m.payload as { journeyId?: string }).journeyId === journeyId));
  });
  messages.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const byStatus: Record<string, number> = {};
  for (const m of messages) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
  const created = messages.map((m) => m.createdAt.getTime());
  const sent = messages.flatMap((m) => (m.sentAt ? [m.sentAt.getTime()] : [])).sort((a, b) => a - b);
  return {
    messages,
    figures: {
      recorded: messages.length,
      byStatus,
      sentMoreThanOnce: messages.filter((m) => m.attempts.filter((a) => (a as { ok?: boolean }).ok).length > 1).length,
      /** The first and the last message recorded, after the request, and the rate in between. */
      recordedAfterMs: { first: created[0] - launchedAt, last: created[created.length - 1] - launchedAt },
      recordedPerSecond: ratePerSecond(created.length, created[created.length - 1] - created[0]),
      sentAfterMs: { first: sent[0] - launchedAt, last: sent[sent.length - 1] - launchedAt },
      recordedToSentMs: summarize(messages.flatMap((m) => (m.sentAt ? [m.sentAt.getTime() - m.createdAt.getTime()] : []))),
    },
  };
}
