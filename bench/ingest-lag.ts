// "How far behind events is scoring at 200 events/s?" An open-loop sender posts
// a batch of 20 events every 100 ms (a slow API shows up as lag and skipped
// ticks, not as a politely slower client); pollers read the accounts' activity
// counters until each batch shows. Baseline: the same batches written straight
// into a scratch collection, the floor any ingestion path stands on.
import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import { Person } from '../models/person';
import { monotonicMicros } from './cpu-profile';
import { cpuMsPer, processLoad } from './load';
import { sendOpenLoop } from './open-loop';
import { everyMs, Polled, startPollers } from './pollers';
import { expectStatus, forEachLimit, putAccounts, putScoringModel, removeAccounts, Scenario, waitForProgress, within } from './scenario';
import type { AnyStack } from './stack';
import { ratePerSecond, summarize } from './stats';

const ACCOUNTS = 200;
const TICK_MS = 100;
const EVENTS_PER_BATCH = 20;
const ACCOUNTS_PER_BATCH = 4;
/** POSTs allowed in flight: beyond that a tick is skipped and the achieved rate drops. */
const MAX_IN_FLIGHT = 20;
const POLLERS = 8;
/** An account is not read again sooner than this: the lag's resolution, and a cap on poll load. */
const MIN_REPOLL_MS = 25;
const TAIL_MS = 60000;
const SETTLE_MS = 300000;
/** No progress for this long: the engine is stuck, not slow. */
const STALL_MS = 120000;

export const LAG_MODEL = {
  fit: [{ id: 'big', when: { field: 'account.employees', op: 'gt', value: 1000 }, points: 20 }],
  behavior: [
    { id: 'opens', event: 'email_open', minCount: 2, within: 'P90D', points: 10 },
    { id: 'visit', event: 'web_visit', within: 'P180D', points: 20 },
  ],
  qualifyAt: 60,
};

interface BenchEvent {
  eventId: string;
  type: 'email_open' | 'web_visit';
  occurredAt: string;
  person: { email: string };
  accountKey: string;
}

/** A batch's events for one account: shown once the account's total reaches threshold. */
interface Target {
  threshold: number;
  sentAt: number;
}

interface AccountState extends Polled {
  key: string;
  emails: string[];
  expected: number;
  targets: Target[];
  total: number;
}

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)];

export const ingestLag: Scenario<AnyStack> = async ({ stack, people, seconds, log }) => {
  // Seed: model first, so seeding scores with it and no re-score runs during the load.
  const modelVersion = await putScoringModel(stack, LAG_MODEL);
  if (modelVersion === undefined) log('ingest-lag: PUT /v1/scoring-model not available; measuring activity counters only');
  const state: AccountState[] = Array.from({ length: ACCOUNTS }, (_, i) => ({ key: `lag-${i}`, emails: [], expected: 0, targets: [], lastPolled: 0, busy: false, total: 0 }));
  const keys = state.map((s) => s.key);
  await putAccounts(stack, keys, (i) => (i % 3 === 0 ? 5000 : 200));
  const seedStart = Date.now();
  let created = 0;
  const emails = Array.from({ length: people }, (_, j) => ({ email: `p${j}@lag-${j % ACCOUNTS}.example.com`, account: state[j % ACCOUNTS] }));
  await forEachLimit(emails, 16, async ({ email, account }) => {
    const res = await stack.api('PUT', `/v1/people/${encodeURIComponent(email)}`, { firstName: 'Bench', accountKey: account.key });
    expectStatus(res, [200, 201], `PUT /v1/people/${email}`);
    account.emails.push(email);
    if (++created % 2000 === 0) log(`ingest-lag: ${created} people, ${ratePerSecond(created, Date.now() - seedStart)}/s`);
  });
  const seedMs = Date.now() - seedStart;
  log(`ingest-lag: seeded ${ACCOUNTS} accounts and ${people} people in ${(seedMs / 1000).toFixed(1)} s; waiting for their first scores`);
  // Each PUT asks its account to re-score; wait for that backlog so it is not measured as lag.
  const settleStart = Date.now();
  const settled = await waitForProgress(() => Person.countDocuments({ scoreModelVersion: modelVersion ?? 0 }), (n) => n >= people, { stallMs: STALL_MS, maxMs: SETTLE_MS, everyMs: 1000 });
  const settleMs = Date.now() - settleStart;
  if (!settled.done) log(`ingest-lag: only ${settled.value} of ${people} seeded people scored after ${(settleMs / 1000).toFixed(0)} s; measuring anyway`);

  const active = state.filter((s) => s.emails.length > 0);
  const lags: number[] = [];
  const postLatency: number[] = [];
  const batches: BenchEvent[][] = [];
  let accepted = 0;
  let failedPosts = 0;

  const sendBatch = async (k: number) => {
    const accounts = [...active].sort(() => Math.random() - 0.5).slice(0, ACCOUNTS_PER_BATCH);
    const occurredAt = new Date().toISOString();
    const events: BenchEvent[] = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => {
      const a = accounts[i % accounts.length];
      return { eventId: `lag-${k}-${i}`, type: i % 2 ? 'web_visit' : 'email_open', occurredAt, person: { email: pick(a.emails) }, accountKey: a.key };
    });
    batches.push(events);
    const sentAt = Date.now();
    // Targets are registered before the POST: its events may be applied before the response returns.
    const mine = accounts.map((a) => {
      const n = events.filter((e) => e.accountKey === a.key).length;
      a.expected += n;
      const target = { threshold: a.expected, sentAt };
      a.targets.push(target);
      return { a, n, target };
    });
    let ok = false;
    try {
      const res = await stack.api('POST', '/v1/events', { events });
      postLatency.push(Date.now() - sentAt);
      accepted += res.body?.accepted ?? 0;
      ok = res.status === 202 && res.body.accepted === events.length;
    } catch {
      // counted below
    }
    if (ok) return;
    // A batch that did not go in will never show: take it out of the thresholds after it.
    failedPosts++;
    for (const { a, n, target } of mine) {
      a.targets = a.targets.filter((t) => t !== target);
      for (const t of a.targets) if (t.threshold > target.threshold) t.threshold -= n;
      a.expected -= n;
    }
  };

  const readAccount = async (a: AccountState) => {
    const res = await stack.api('GET', `/v1/accounts/${a.key}`);
    const seenAt = Date.now();
    if (res.status !== 200) throw new Error(`GET /v1/accounts/${a.key}: HTTP ${res.status}`);
    a.total = res.body.activity?.total ?? 0;
    while (a.targets.length && a.targets[0].threshold <= a.total) lags.push(seenAt - a.targets.shift()!.sentAt);
  };
  // The account with something outstanding that was read longest ago.
  const pollers = startPollers(active, { pollers: POLLERS, dueAt: everyMs<AccountState>(MIN_REPOLL_MS, (a) => a.targets.length > 0), read: readAccount });

  const load = processLoad(stack.config.DATA_DIR);
  log(`ingest-lag: sending ${(EVENTS_PER_BATCH * 1000) / TICK_MS} events/s for ${seconds} s`);
  const phaseFrom = monotonicMicros();
  const sending = await sendOpenLoop({ ticks: Math.floor((seconds * 1000) / TICK_MS), tickMs: TICK_MS, maxInFlight: MAX_IN_FLIGHT }, sendBatch);
  const tailMs = await pollers.drain(() => active.every((a) => a.targets.length === 0), TAIL_MS);
  log(`ingest-lag: the sending and its tail, for bench/cpu-profile.ts: --window=${phaseFrom}-${monotonicMicros()}`);
  const { polls, pollErrors } = await pollers.stop();
  const unresolved = active.reduce((n, a) => n + a.targets.length, 0);
  const benchProcess = load();

  // Final counters: what the engine applied of what it accepted.
  await within(forEachLimit(active, 8, (a) => readAccount(a).catch(() => undefined)), 120000, 'reading the final counters');
  const applied = active.reduce((n, a) => n + a.total, 0);

  // Baseline: the same batches, one insertMany each, back to back into a scratch collection.
  const floor = mongoose.connection.db!.collection(`bench_floor_${Date.now()}`);
  const floorLatency: number[] = [];
  const insertAll = async () => {
    for (const events of batches) {
      const docs = events.map((e) => ({ _id: e.eventId as never, type: e.type, occurredAt: new Date(e.occurredAt), receivedAt: new Date(), personId: e.person.email, accountKey: e.accountKey, properties: {} }));
      const t = performance.now();
      await floor.insertMany(docs, { ordered: false });
      floorLatency.push(performance.now() - t);
    }
    await floor.drop();
  };
  await within(insertAll(), 120000, 'the insertMany baseline');
  await removeAccounts(keys);

  return {
    figures: {
      targetEventsPerSecond: (EVENTS_PER_BATCH * 1000) / TICK_MS,
      achievedEventsPerSecond: ratePerSecond(accepted, sending.sendMs),
      eventsAccepted: accepted,
      eventsApplied: applied,
      batchesSent: batches.length,
      failedPosts,
      skippedTicks: sending.skippedTicks,
      lagMs: summarize(lags),
      lagUnresolvedAfterTail: unresolved,
      tailDrainMs: tailMs,
      postLatencyMs: summarize(postLatency),
      accountPolls: polls,
      pollErrors,
      benchProcess,
      /** The stack's CPU an event over the sending and its tail (the pollers' reads of the accounts included). */
      cpuMsPerEvent: cpuMsPer(accepted, benchProcess),
      seed: { accounts: ACCOUNTS, people, peoplePutPerSecond: ratePerSecond(people, seedMs), settleMs, settled: settled.done, scoringModelVersion: modelVersion ?? null },
    },
    baseline: { insertManyMs: summarize(floorLatency), batches: batches.length },
  };
};
