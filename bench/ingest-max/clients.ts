// Closed-loop clients posting batches to POST /v1/events until the load's time
// is up (or MAX_EVENTS were posted).
import { closedLoop } from '../closed-loop';
import type { ScenarioContext } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';
import { BATCH, batchOf, BenchEvent } from './events';
import type { SeedAccount } from './seed';

export const CLIENTS = 4;
/** A bound on the events of one run, whatever the time allows. */
export const MAX_EVENTS = 200000;
/** Batches that began within this share of the load's start are left out of the steady rate (account workflows start then). */
const WARM_SHARE = 0.25;

export interface Posted {
  events: BenchEvent[];
  client: number;
  /** Since the load's start. */
  sentAfterMs: number;
  ms: number;
  status: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  error?: string;
}

export async function postBatches(stack: BenchStack, accounts: SeedAccount[], runTag: string, seconds: number, log: ScenarioContext['log']) {
  const posted: Posted[] = [];
  let next = 0;
  let lastLogged = Date.now();
  const { start, loadMs } = await closedLoop(CLIENTS, seconds, async (c, loadStart) => {
    if (next * BATCH >= MAX_EVENTS) return false;
    const events = batchOf(accounts, runTag, next++);
    const sentAt = Date.now();
    const p: Posted = { events, client: c, sentAfterMs: sentAt - loadStart, ms: 0, status: 0, accepted: 0, duplicates: 0, rejected: 0 };
    try {
      const res = await stack.api('POST', '/v1/events', { events });
      p.status = res.status;
      p.accepted = res.body?.accepted ?? 0;
      p.duplicates = res.body?.duplicates ?? 0;
      p.rejected = Array.isArray(res.body?.rejected) ? res.body.rejected.length : 0;
      if (res.status !== 202) p.error = JSON.stringify(res.body).slice(0, 200);
      else if (p.rejected) p.error = `${p.rejected} rejected, e.g. ${JSON.stringify(res.body.rejected[0]).slice(0, 200)}`;
    } catch (err) {
      p.error = (err as Error).message.slice(0, 200);
    }
    p.ms = Date.now() - sentAt;
    if (p.error && !posted.some((b) => b.error)) log(`ingest-max: a POST did not take every event (HTTP ${p.status}): ${p.error}`);
    posted.push(p);
    if (Date.now() - lastLogged > 10000) {
      lastLogged = Date.now();
      const accepted = posted.reduce((n, b) => n + b.accepted, 0);
      log(`ingest-max: ${accepted} events accepted after ${((Date.now() - loadStart) / 1000).toFixed(0)} s (${ratePerSecond(accepted, Date.now() - loadStart)}/s)`);
    }
    return true;
  });
  const accepted = posted.reduce((n, b) => n + b.accepted, 0);
  const failed = posted.filter((b) => b.status !== 202 || b.accepted !== b.events.length);
  // The steady rate: batches sent after the first WARM_SHARE of the load, over the time from the first of them to the end.
  const steady = posted.filter((b) => b.sentAfterMs >= WARM_SHARE * loadMs);
  const steadyFrom = Math.min(...steady.map((b) => b.sentAfterMs));
  return {
    start,
    loadMs,
    posted,
    accepted,
    figures: {
      clients: CLIENTS,
      eventsPerBatch: BATCH,
      batches: posted.length,
      eventsAccepted: accepted,
      duplicates: posted.reduce((n, b) => n + b.duplicates, 0),
      rejected: posted.reduce((n, b) => n + b.rejected, 0),
      failedBatches: failed.length,
      ...(failed.length ? { failedSamples: failed.slice(0, 3).map((b) => ({ status: b.status, accepted: b.accepted, error: b.error })) } : {}),
      loadMs,
      /** First POST sent → last answered. */
      acceptedPerSecond: ratePerSecond(accepted, loadMs),
      /** The same after the first quarter of the load (the account workflows are started then). */
      steadyAcceptedPerSecond: steady.length ? ratePerSecond(steady.reduce((n, b) => n + b.accepted, 0), loadMs - steadyFrom) : null,
      postMs: summarize(posted.map((b) => b.ms)),
    },
  };
}
