// Issue 14, "Benchmark": N people (BENCH_PEOPLE, 10,000) enrolled in one active
// stream on one worker; the casts a minute it sustains, beside raw email sends
// of the same messages; the worker's RSS with N and 10 × N sleeping
// enrolments. Goal: ≤ 1 GiB.
//
// (1) Sleeping, on a fresh worker: 10 × N people (seed.ts, straight into the
//     database) for a stream whose first cast is ~22 h away; N, then 10 × N
//     enrolled through the API in pages (enrol.ts), the two together bounded
//     by BENCH_NURTURE_ENROL_MINUTES (20): the RSS at each (sleeping.ts), or
//     at what was reached when time ran out.
// (2) Casting: the first N of them enrolled in a second stream of 3 × 5 email
//     campaigns cast every 10 s (the first at once), their enrolment bounded
//     the same way, once the sleepers' first workflow tasks are handed out
//     (bounded: a first run measured only that backlog); then a window of BENCH_SECONDS (300 s unless set) with
//     everyone enrolled, in which the casts recorded (outbound messages of
//     type 'nurture') and the emails the SMTP server received are counted a
//     minute (window.ts), beside the main task queue's backlog (queue.ts) and
//     the people overdue (state.ts); a sample of histories says what a cast
//     takes (histories.ts).
// (3) Floor: the emails received in (2), as many as were cast in the window,
//     sent again by bench/email/floor.ts to an SMTP server of their own
//     (floor.ts).
// The casting stream is not stopped: at 10,000 its stop works through the same
// backlog for half an hour (a run that waited for it, then terminated the
// rest, lost its worker thread to a Node "async hook stack has become
// corrupted" abort). Its workflows end with the stack (clean-up.ts).
import { newId } from '../../lib/ids';
import { Scenario, within } from '../scenario';
import { round } from '../stats';
import { cleanUp, Written } from './clean-up';
import { enrolByApi } from './enrol';
import { rawFloor } from './floor';
import { castLegs } from './histories';
import { CAST_EVERY, castingStream, castsDuePerMinute, generate, PEOPLE_PER_ACCOUNT, putTemplate, seed, sleepingStream } from './seed';
import { sleepingMemory } from './sleeping';
import { queueDrained } from './queue';
import { enrolmentState } from './state';
import { castWindow, perMinute } from './window';

const GIB_MB = 1024;
/** The window unless BENCH_SECONDS says otherwise: a rate a minute over several minutes with everyone enrolled. */
const WINDOW_S = 300;
const SLEEPING_FACTOR = 10;
/** How long the casting phase waits for the sleepers' first workflow tasks: casts would otherwise queue behind them. */
const SLEEPERS_DRAIN_MAX_MS = 600000;

type Snapshot = { withoutGc: { rssMB: number }; worker: { cachedWorkflows: number } };
const perCached = (a: Snapshot, b: Snapshot) => {
  const grew = b.worker.cachedWorkflows - a.worker.cachedWorkflows;
  return grew > 0 ? round(((b.withoutGc.rssMB - a.withoutGc.rssMB) * 1024) / grew) : null;
};

function minutesFromEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export const nurture: Scenario = async ({ stack, people: n, seconds, log }) => {
  const enrolMs = minutesFromEnv('BENCH_NURTURE_ENROL_MINUTES', 20) * 60000;
  const windowMs = (process.env.BENCH_SECONDS ? seconds : WINDOW_S) * 1000;
  const sleepingTarget = n * SLEEPING_FACTOR;
  const accounts = generate(sleepingTarget);
  const personIds = accounts.flatMap((a) => a.people.map((p) => p.personId));
  const casting = personIds.slice(0, n);
  const runTag = newId('r').slice(2, 10);
  const written: Written = { accountKeys: accounts.map((a) => a.key), castAccountKeys: accounts.slice(0, Math.ceil(n / PEOPLE_PER_ACCOUNT)).map((a) => a.key), streamIds: [] };
  log(`nurture: ${sleepingTarget} people in ${accounts.length} accounts; ${n} and ${sleepingTarget} sleeping, then ${n} cast to every ${CAST_EVERY}; enrolment bounded to ${enrolMs / 60000} min a phase`);
  try {
    const seedStart = Date.now();
    await seed(accounts);
    await putTemplate(stack);
    const seedMs = Date.now() - seedStart;
    log(`nurture: seeded in ${(seedMs / 1000).toFixed(1)} s; sleeping enrolments...`);

    // --- (1) Sleeping.
    const sleepingId = await sleepingStream(stack, runTag);
    written.streamIds.push(sleepingId);
    const sleeping = await sleepingMemory(stack, sleepingId, personIds, [n, sleepingTarget], Date.now() + enrolMs, log);

    // --- (2) Casting.
    const sleepersDrained = await queueDrained(stack, { left: 10, maxMs: SLEEPERS_DRAIN_MAX_MS });
    log(`nurture: sleepers' workflow tasks left ${sleepersDrained.queue.workflowTasks?.backlog ?? '?'} after ${(sleepersDrained.waitedMs / 1000).toFixed(0)} s; casting...`);
    const castingId = await castingStream(stack, runTag);
    written.streamIds.push(castingId);
    await stack.smtp.reset();
    const phaseStart = Date.now();
    const enrolled = await enrolByApi(stack, castingId, casting, { deadline: phaseStart + enrolMs, what: 'casting', log });
    const onStream = enrolled.enrolled + enrolled.alreadyEnrolled;
    log(`nurture: ${onStream}/${n} enrolled for casting in ${(enrolled.ms / 1000).toFixed(1)} s (${enrolled.perSecond}/s); ${(await stack.smtp.stats()).distinct} emails so far; window of ${windowMs / 1000} s...`);
    const atWindowStart = await enrolmentState(castingId);
    const window = await castWindow(stack, castingId, windowMs, log);
    const atWindowEnd = await enrolmentState(castingId);
    const created = window.messages.map((m) => m.createdAt.getTime());
    log(`nurture: ${window.figures.castsPerMinute} casts/min, ${window.figures.sentPerMinute} sent/min; ${atWindowEnd.overdue} of ${atWindowEnd.enrolments} overdue; reading histories...`);
    const legs = await castLegs(stack, castingId, casting.slice(0, onStream));

    // --- (3) Floor: the same emails as received, as many as were cast in the window.
    const received = await stack.smtp.received();
    const floor = await rawFloor(stack, received.slice(0, Math.max(1, window.figures.castInWindow)));
    const ratio = (v: number) => (floor.floorPerMinute ? Math.round((v / floor.floorPerMinute) * 10000) / 10000 : null);
    log(`nurture: raw nodemailer ${floor.runs.map((r) => round(r.perSecond * 60)).join(', ') || '-'}/min with ${floor.runs[0]?.messages ?? 0} messages`);

    const rss = (target: number) => {
      const c = sleeping.checkpoints.find((p) => p.target === target);
      return c ? { reached: c.reached, rssMB: c.memory.withoutGc.rssMB, rssAfterGcMB: c.memory.afterGc?.rssMB ?? null, cachedWorkflows: c.memory.worker.cachedWorkflows, sampledAsleep: c.sample, withinGoal: c.memory.withoutGc.rssMB <= GIB_MB } : null;
    };
    const last = sleeping.checkpoints[sleeping.checkpoints.length - 1];
    return {
      figures: {
        people: n,
        accounts: accounts.length,
        peoplePerAccount: PEOPLE_PER_ACCOUNT,
        seedMs,
        worker: { maxCachedWorkflows: stack.worker.options.maxCachedWorkflows, emailRatePerSecond: stack.config.EMAIL_RATE_PER_SECOND },
        sleeping: {
          cadence: 'P1D at a time of day 2 h before the run (first cast ~22 h after enrolment)',
          enrolMinutesBound: enrolMs / 60000,
          rssAtN: rss(n),
          rssAtTenN: rss(sleepingTarget),
          reached: sleeping.reached,
          lastCheckpoint: last ? { target: last.target, reached: last.reached, rssMB: last.memory.withoutGc.rssMB } : null,
          /** RSS growth from before the sleeping enrolments to the last checkpoint, over the growth of the worker's workflow cache (beyond it, sleepers are in Temporal, not in memory). */
          rssGrowthPerCachedWorkflowKB: last ? perCached(sleeping.beforeEnrolment, last.memory) : null,
          detail: sleeping,
        },
        casting: {
          cadence: { every: CAST_EVERY, stages: 3, campaignsPerStage: 5 },
          /** Casts the cadence would ask for a minute with everyone enrolled, were each sent at once. */
          castsDuePerMinute: castsDuePerMinute(onStream),
          /** The main queue's workflow tasks (the sleepers' first ones) waited for before the casting enrolment. */
          sleepersDrained,
          enrolment: enrolled,
          window: window.figures,
          ratioToFloor: { casts: ratio(window.figures.castsPerMinute), sent: ratio(window.figures.sentPerMinute) },
          /** From the first enrolment request to the window's end, a minute: recorded casts and emails received. */
          wholePhasePerMinute: { cast: perMinute(created, phaseStart, window.to), sent: perMinute(window.arrivals, phaseStart, window.to) },
          enrolmentsAtWindowStart: atWindowStart,
          enrolmentsAtWindowEnd: atWindowEnd,
          messagesByStatusAtWindowEnd: window.messages.reduce<Record<string, number>>((acc, m) => ((acc[m.status] = (acc[m.status] ?? 0) + 1), acc), {}),
          legs,
        },
        goal: 'worker RSS ≤ 1 GiB with 10,000 and with 100,000 sleeping enrolments',
        goalMet: sleeping.reached >= sleepingTarget && sleeping.checkpoints.every((c) => c.memory.withoutGc.rssMB <= GIB_MB),
        noisy: 'a 2-core machine shared with the whole embedded stack and, possibly, other test suites and benches: see machineLoad and window.process',
      },
      baseline: { rawNodemailer: floor.runs, floorPerMinute: floor.floorPerMinute, ...(floor.skipped ? { skipped: floor.skipped } : {}), note: 'to an SMTP server of its own, while the casting workflows still run' },
    };
  } finally {
    const t = Date.now();
    await within(cleanUp(written), 900000, 'removing the scenario data').catch((err: Error) => log(`nurture: clean-up: ${err.message}`));
    log(`nurture: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
