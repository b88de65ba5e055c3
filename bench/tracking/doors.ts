import { Analytics } from '@segment/analytics-node';
import { performance } from 'node:perf_hooks';
import { forEachLimit } from '../scenario';
import { ADMIN_KEY, type BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';
import { asNativeEvent, BATCH, BenchTrack, EVENT_NAME } from './events';

/** What one door took: how fast it answered, and what it answered. */
export interface DoorRun {
  events: number;
  ms: number;
  eventsPerSecond: number;
  requests: number;
  statuses: Record<string, number>;
  maxInFlight: number;
  requestMs: ReturnType<typeof summarize>;
}

/** Counts what passes through a fetch: statuses, requests at once, latency. */
function counted(base: typeof fetch) {
  const statuses: Record<string, number> = {};
  const latency: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const call = async (url: string, init: RequestInit) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const t = performance.now();
    try {
      const res = await base(url, init);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      return res;
    } finally {
      latency.push(performance.now() - t);
      inFlight -= 1;
    }
  };
  return { call, figures: () => ({ requests: latency.length, statuses, maxInFlight, requestMs: summarize(latency) }) };
}

/** POST /v1/events in batches of BATCH, `concurrency` requests at a time. */
export async function native(stack: BenchStack, tracks: BenchTrack[], concurrency: number): Promise<DoorRun> {
  const http = counted(fetch);
  const batches = Array.from({ length: Math.ceil(tracks.length / BATCH) }, (_, b) => tracks.slice(b * BATCH, (b + 1) * BATCH));
  const start = performance.now();
  await forEachLimit(batches, concurrency, async (batch) => {
    const res = await http.call(`${stack.baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: batch.map(asNativeEvent) }),
    });
    const body = (await res.json()) as { accepted?: number };
    if (res.status !== 202 || body.accepted !== batch.length) throw new Error(`POST /v1/events: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  });
  const ms = performance.now() - start;
  return { events: tracks.length, ms: Math.round(ms), eventsPerSecond: ratePerSecond(tracks.length, ms), ...http.figures() };
}

/**
 * @segment/analytics-node as a server runs it (its defaults: 3 retries, a 10 s
 * request timeout), at full speed: every track
 * enqueued at once, flushed BATCH at a time to /v1/batch (its own retries,
 * its own concurrency), until closeAndFlush resolves. Only its transport is
 * wrapped, to count what it sent and what it was answered.
 */
export async function segment(stack: BenchStack, writeKey: string, tracks: BenchTrack[]): Promise<DoorRun & { sdkErrors: number }> {
  const http = counted(fetch);
  let sdkErrors = 0;
  const analytics = new Analytics({ writeKey, host: stack.baseUrl, flushAt: BATCH, httpClient: (url, init) => http.call(url, init as RequestInit) });
  analytics.on('error', () => void (sdkErrors += 1));
  const start = performance.now();
  for (const t of tracks) {
    analytics.track({ messageId: t.messageId, anonymousId: t.anonymousId, event: EVENT_NAME, timestamp: t.at, properties: { plan: t.plan, url: 'https://acme.example/pricing' }, context: { groupId: t.accountKey } });
  }
  await analytics.closeAndFlush({ timeout: 600_000 });
  const ms = performance.now() - start;
  return { events: tracks.length, ms: Math.round(ms), eventsPerSecond: ratePerSecond(tracks.length, ms), sdkErrors, ...http.figures() };
}
