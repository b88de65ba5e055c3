// "How long does recomputing N people take?" N people over N/20 accounts are
// seeded through the public API (~3 events each), scored with a first model;
// then a changed model is saved and timed until GET /v1/scoring-model reports
// the re-score completed. Baseline: the pure scoring function over the same
// people in memory, what the engine would do with no storage or orchestration.
// Beside it, live events on accounts of their own (live-lag.ts): their lag
// idle, before the model changes, while the re-score runs, and idle again
// after it (their histories have grown meanwhile). A second
// baseline: the same reads and writes straight to the database (storage-floor.ts).
import { performance } from 'node:perf_hooks';
import { scorePerson, ScoredEvent } from '../../domain/scoring/evaluate';
import { scoringModelSchema } from '../../domain/scoring/model';
import { Person } from '../../models/person';
import { LAG_MODEL } from '../ingest-lag';
import { expectStatus, forEachLimit, putAccounts, putScoringModel, removeAccounts, Scenario, waitForProgress } from '../scenario';
import { ratePerSecond, round, summarize } from '../stats';
import { liveAccounts, liveLagFigures, livePeople, liveSeedEvents, liveSettled, measureLiveLag } from '../live-lag';
import { storageFloor } from './storage-floor';
import { cpuMsPer, processLoad, untilQuiet } from '../load';
import { monotonicMicros } from '../cpu-profile';
import type { AnyStack } from '../stack';

const PEOPLE_PER_ACCOUNT = 20;
const EVENTS_PER_PERSON = 3;
const EVENTS_PER_POST = 1000;
const DAY_MS = 86400000;
/** No progress for this long: the engine is stuck, not slow. An exact tally shows none while it decodes everyone: 2 ms more a person. */
const stallMs = (people: number) => 120000 + people * 2;

/** The second model: every rule's verdict and points move, so everyone really is re-scored. */
const CHANGED_MODEL = {
  fit: [{ id: 'big', when: { field: 'account.employees', op: 'gt', value: 500 }, points: 25 }],
  behavior: [
    { id: 'opens', event: 'email_open', minCount: 1, within: 'P30D', points: 15 },
    { id: 'visit', event: 'web_visit', within: 'P60D', points: 25 },
  ],
  qualifyAt: 40,
};

interface SeedPerson {
  email: string;
  account: number;
  events: ScoredEvent[];
}

function seedPeople(n: number, now: number): SeedPerson[] {
  const types = ['email_open', 'email_open', 'web_visit'] as const;
  // People in account order: each POST of 1000 events touches ~17 accounts, one signal each.
  return Array.from({ length: n }, (_, p) => ({
    email: `p${p}@rs-${Math.floor(p / PEOPLE_PER_ACCOUNT)}.example.com`,
    account: Math.floor(p / PEOPLE_PER_ACCOUNT),
    events: types.slice(0, EVENTS_PER_PERSON).map((type, i) => ({
      eventId: `rs-${p}-${i}`,
      type,
      // Spread over 60 days, so windows of 30 and 60 days cut differently.
      occurredAt: new Date(now - (((p * EVENTS_PER_PERSON + i) % 60) * DAY_MS + 60000)).toISOString(),
    })),
  }));
}

const employeesOf = (a: number) => (a % 4 === 0 ? 5000 : 300);

export const rescore: Scenario<AnyStack> = async ({ stack, people, seconds, log }) => {
  const probe = await stack.api('GET', '/v1/scoring-model');
  if (probe.status !== 200 || !('recompute' in (probe.body ?? {}))) {
    log('rescore: endpoint not available');
    return { figures: {}, baseline: {}, skipped: 'GET /v1/scoring-model with recompute progress not available' };
  }
  // 100,000 people took 1,690 s to re-score and tally (d7f1a35).
  const waitMs = 600000 + people * 30;
  const first = await putScoringModel(stack, LAG_MODEL);
  if (first === undefined) {
    log('rescore: endpoint not available');
    return { figures: {}, baseline: {}, skipped: 'PUT /v1/scoring-model not available' };
  }

  const now = Date.now();
  const seed = seedPeople(people, now);
  const keys = Array.from({ length: Math.ceil(people / PEOPLE_PER_ACCOUNT) }, (_, a) => `rs-${a}`);
  await putAccounts(stack, keys, employeesOf);
  const live = liveAccounts('rs-live');
  const liveKeys = live.map((a) => a.key);
  await putAccounts(stack, liveKeys, () => 300);
  const scored = people + livePeople(live);
  const events = [...seed.flatMap((p) => p.events.map((e) => ({ ...e, person: { email: p.email }, accountKey: keys[p.account] }))), ...liveSeedEvents(live, now)];
  const posts = Array.from({ length: Math.ceil(events.length / EVENTS_PER_POST) }, (_, i) => events.slice(i * EVENTS_PER_POST, (i + 1) * EVENTS_PER_POST));
  const postLatency: number[] = [];
  const ingestStart = Date.now();
  await forEachLimit(posts, 2, async (batch) => {
    const t = Date.now();
    const res = await stack.api('POST', '/v1/events', { events: batch });
    expectStatus(res, [202], 'POST /v1/events');
    postLatency.push(Date.now() - t);
  });
  const ingestMs = Date.now() - ingestStart;
  log(`rescore: posted ${events.length} events for ${scored} people (${livePeople(live)} of them live) in ${(ingestMs / 1000).toFixed(1)} s; waiting until all are scored`);
  const applied = await waitForProgress(() => Person.countDocuments({ scoreModelVersion: first }), (n) => n >= scored, { stallMs: stallMs(people), maxMs: waitMs, everyMs: 2000 });
  const applyMs = Date.now() - ingestStart;
  if (!applied.done) log(`rescore: only ${applied.value} of ${scored} scored after ${(applyMs / 1000).toFixed(0)} s; re-scoring anyway`);
  const liveReady = await liveSettled(stack, live);
  if (!liveReady) log('rescore: the live accounts do not count their seed events yet; measuring anyway');

  log(`rescore: live events idle, ${seconds} s`);
  const idle = await measureLiveLag(stack, live, 'idle', { maxMs: seconds * 1000 });
  log(`rescore: idle lag p50 ${idle.lagMs.p50} ms, p99 ${idle.lagMs.p99} ms (${idle.lagMs.count} events)`);

  log('rescore: saving the changed model and timing the re-score');
  const putAt = Date.now();
  const rescoreLoad = processLoad(stack.config.DATA_DIR);
  const phaseFrom = monotonicMicros();
  let rescoring = true;
  const second = await putScoringModel(stack, CHANGED_MODEL);
  const putMs = Date.now() - putAt;
  // Live events from the save until the re-score completes (or is given up).
  const during = measureLiveLag(stack, live, 'rescore', { maxMs: waitMs, stopWhen: () => !rescoring });
  let firstProgressMs: number | undefined;
  let progress: { status: string; total: number; done: number; startedAt: string; finishedAt?: string } | undefined;
  // Progress is `done`, plus one for "completed", so finishing counts as growth.
  const readProgress = async () => {
    const r = (await stack.api('GET', '/v1/scoring-model')).body?.recompute;
    if (!r || r.version !== second) return -1;
    progress = r;
    if (firstProgressMs === undefined && r.done > 0) firstProgressMs = Date.now() - putAt;
    return r.done + (r.status === 'completed' ? 1 : 0);
  };
  const finished = await waitForProgress(readProgress, () => progress?.status === 'completed' && progress.done === progress.total, { stallMs: stallMs(people), maxMs: waitMs, everyMs: 250 });
  const rescoreMs = Date.now() - putAt;
  const rescoreProcess = rescoreLoad();
  log(`rescore: the re-score phase, for bench/cpu-profile.ts: --window=${phaseFrom}-${monotonicMicros()}`);
  rescoring = false;
  if (!finished.done) log(`rescore: not completed after ${(rescoreMs / 1000).toFixed(0)} s (last progress ${JSON.stringify(progress ?? null)})`);
  const duringRescore = await during;
  log(`rescore: ${progress?.done ?? '?'} people in ${(rescoreMs / 1000).toFixed(1)} s; lag meanwhile p50 ${duringRescore.lagMs.p50} ms, p99 ${duringRescore.lagMs.p99} ms (${duringRescore.lagMs.count} events; idle p99 ${idle.lagMs.p99} ms)`);
  // Idle again, with the live accounts' histories as long as the re-score left them: what the re-score itself added.
  await untilQuiet(stack.config.DATA_DIR);
  const idleAfter = await measureLiveLag(stack, live, 'idle-after', { maxMs: seconds * 1000 });
  log(`rescore: idle after the re-score, lag p50 ${idleAfter.lagMs.p50} ms, p99 ${idleAfter.lagMs.p99} ms (${idleAfter.lagMs.count} events${finished.done ? '' : '; the re-score was still running'})`);

  // Baseline: the same people, the same events, the same changed model, scored in memory.
  const model = scoringModelSchema.parse(CHANGED_MODEL);
  const accounts = keys.map((key, a) => ({ key, name: `Bench ${key}`, domain: `${key}.example.com`, employees: employeesOf(a) }));
  const scoreAll = () => {
    for (const p of seed) scorePerson(model, { person: { email: p.email, firstName: 'Bench' }, account: accounts[p.account], events: p.events }, now);
  };
  scoreAll(); // warm the JIT, as a long-running worker would be
  const t = performance.now();
  scoreAll();
  const memoryMs = performance.now() - t;

  await untilQuiet(stack.config.DATA_DIR);
  const floorLoad = processLoad(stack.config.DATA_DIR);
  const floor = await storageFloor(keys, stack.config.BACKGROUND_CONCURRENCY);
  const floorProcess = floorLoad();
  const cpuMsPerPerson = { rescore: progress ? cpuMsPer(progress.total, rescoreProcess) : null, storageFloor: cpuMsPer(floor.people, floorProcess) };
  log(`rescore: storage floor (the same people read and written by account, no Temporal): ${floor.peoplePerSecond} people/s; the stack's CPU a person ${cpuMsPerPerson.rescore} ms re-scoring (live events included), ${cpuMsPerPerson.storageFloor} ms in the floor`);

  await removeAccounts([...keys, ...liveKeys]);
  return {
    figures: {
      peopleRescored: progress?.done ?? null,
      completed: finished.done,
      rescoreMs,
      peoplePerSecond: finished.done && progress ? ratePerSecond(progress.total, rescoreMs) : null,
      // The workflow counts progress every few seconds: its own start-to-finish, for comparison.
      serverReportedMs: finished.done && progress?.finishedAt ? Date.parse(progress.finishedAt) - Date.parse(progress.startedAt) : null,
      firstProgressMs: firstProgressMs ?? null,
      putModelMs: putMs,
      /** The stack's CPU over the re-score (its 10 live events a second included) and over the storage floor, a person. */
      process: rescoreProcess,
      cpuMsPerPerson,
      /** Re-scored with everyone (total includes them), while live events went to them at 10/s. */
      liveLag: { ...liveLagFigures(live, idle, duringRescore, 'duringRescore', 'the re-score'), idleAfter },
      modelVersions: { seeded: first, rescored: second ?? null },
      seed: {
        accounts: keys.length,
        liveAccounts: live.length,
        livePeople: livePeople(live),
        liveAccountsSettled: liveReady,
        events: events.length,
        ingestEventsPerSecond: ratePerSecond(events.length, ingestMs),
        postLatencyMs: summarize(postLatency),
        allScoredMs: applyMs,
        allScored: applied.done,
      },
    },
    baseline: { inMemoryMs: round(memoryMs), peoplePerSecond: ratePerSecond(people, memoryMs), storageFloor: { ...floor, process: floorProcess } },
  };
};
