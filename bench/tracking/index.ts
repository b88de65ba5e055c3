// "Is the Segment door as fast as our own?" The Segment SDK at full speed
// against /v1/batch, beside the same events (same names, sizes, people and
// accounts per path) through /v1/events in the same run, each timed until its
// requests are answered and until every event is applied (no pending marker left).
import os from 'node:os';
import { loadConfig } from '../../lib/config';
import { PendingEvent } from '../../models/pending-event';
import { expectStatus, removeAccounts, Scenario, waitForProgress } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, round } from '../stats';
import { DoorRun, native, segment } from './doors';
import { accountKeysOf, BATCH, EVENT_NAME, tracksFor } from './events';


async function untilApplied(startedAt: number): Promise<{ appliedMs: number; done: boolean }> {
  const res = await waitForProgress(async () => -(await PendingEvent.countDocuments({})), (n) => n === 0, { stallMs: 120_000, maxMs: 900_000, everyMs: 250 });
  return { appliedMs: Date.now() - startedAt, done: res.done };
}

async function writeKey(stack: BenchStack): Promise<string> {
  const res = await stack.api('POST', '/v1/api-keys', { role: 'ingest', name: 'bench tracking' });
  expectStatus(res, [201], 'POST /v1/api-keys');
  return res.body.key;
}

export const tracking: Scenario = async ({ stack, people, log }) => {
  const events = people;
  const key = await writeKey(stack);
  // Registered ahead, mapped: both doors carry the same custom name, scored as a web visit.
  expectStatus(await stack.api('PUT', `/v1/event-types/${encodeURIComponent(EVENT_NAME)}`, { means: 'web_visit' }), [200, 201], 'PUT /v1/event-types');

  // /v1/events gets as many requests at once as the tracking routes take (the SDK itself sends all its batches at once).
  const nativeConcurrency = loadConfig().TRACKING_MAX_IN_FLIGHT;
  const runs: Record<string, DoorRun & { appliedMs: number; appliedEventsPerSecond: number; allApplied: boolean }> = {};
  // The door measured first meets a quieter database; BENCH_TRACKING_FIRST=segment swaps them.
  const order = process.env.BENCH_TRACKING_FIRST === 'segment' ? (['segment', 'native'] as const) : (['native', 'segment'] as const);
  for (const door of order) {
    log(`tracking: ${events} events through ${door === 'native' ? 'POST /v1/events' : 'the Segment SDK to /v1/batch'}`);
    const tracks = tracksFor(door, events);
    const startedAt = Date.now();
    const run = door === 'native' ? await native(stack, tracks, nativeConcurrency) : await segment(stack, key, tracks);
    const applied = await untilApplied(startedAt);
    runs[door] = { ...run, appliedMs: applied.appliedMs, appliedEventsPerSecond: ratePerSecond(events, applied.appliedMs), allApplied: applied.done };
    log(`tracking: ${door} answered ${run.eventsPerSecond} events/s, applied all in ${(applied.appliedMs / 1000).toFixed(1)} s`);
    await removeAccounts(accountKeysOf(door));
  }
  const ratioOf = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const ratio = ratioOf(runs.segment.eventsPerSecond, runs.native.eventsPerSecond);
  return {
    figures: { events, batch: BATCH, loadAverage: os.loadavg().map(round), segmentSdk: runs.segment, acceptedRatio: ratio, appliedRatio: ratioOf(runs.segment.appliedEventsPerSecond, runs.native.appliedEventsPerSecond), trackingMaxInFlight: loadConfig().TRACKING_MAX_IN_FLIGHT, goal: '>= 0.9x the native rate', met: ratio >= 0.9 },
    baseline: { nativeEvents: runs.native, nativeConcurrency, order },
  };
};
