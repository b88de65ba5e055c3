// "Start rate (journeys/s) launching 10,000 accounts, worker memory with 10,000
// open waiting journeys, and time from an event to the journey's branch
// (p50/p99)." BENCH_PEOPLE accounts (default 10000) of one person each
// (accounts.ts); the journey waits up to 7 days for whitepaper_download
// (definition.ts). Launch and stop answer 202 with a job that does the work in
// the background (jobs.ts), so each is timed twice: the HTTP answer, and the
// job until it finished and the instances until they all wait / none waits.
//
// (1) Launch: SMALL_LAUNCHES journeys launched for SMALL_LAUNCH accounts in one
//     request each (then stopped), and one journey for all N accounts in one
//     request (the API takes up to 10,000 keys).
// (2) Memory with N open waiting journeys (../memory.ts); a sample of the
//     instances' Temporal histories says where a start spends its time.
// (3) Event → branch (events.ts).
// (4) Stop of all N through the API.
// Floors in the same run (floors.ts): the same N starts and stops called in
// this process in the job's chunks, a bare API round trip beside the answer
// times, a database write read back beside the event latency.
import { newId } from '../../lib/ids';
import { mulberry32 } from '../segment-data';
import { Scenario, within } from '../scenario';
import { round, summarize } from '../stats';
import { generate, seed, wake } from './accounts';
import { launchByApi, stopByApi } from './api-phases';
import { cleanUp, Written } from './clean-up';
import { createJourney } from './definition';
import { eventToBranch, EVENTS_PER_SECOND, MAX_EVENTS } from './events';
import { apiRoundTrips, startInProcess, stopInProcess, writeReadRoundTrips } from './floors';
import { startLegs } from './histories';
import { processLoad } from '../load';
import { memorySnapshots } from '../memory';

/** "Today 300 accounts take 4.9–6.3 s in the request": the request size the issue timed, a few times for p50/max. */
const SMALL_LAUNCH = 300;
const SMALL_LAUNCHES = 3;

const nullable = (values: (number | null)[]) => summarize(values.filter((v): v is number => v !== null));

export const journeys: Scenario = async ({ stack, people, seconds, log }) => {
  const n = people;
  const accounts = generate(n);
  const keys = accounts.map((a) => a.key);
  const runTag = newId('r').slice(2, 10);
  const written: Written = { accounts, journeys: [], eventIds: [], eventAccountKeys: [] };
  const rand = mulberry32(20261124);
  // The event targets, chosen now: their account workflows are woken before the launch.
  const pool = [...accounts];
  for (let k = pool.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [pool[k], pool[j]] = [pool[j], pool[k]];
  }
  const chosen = pool.slice(0, Math.min(MAX_EVENTS, seconds * EVENTS_PER_SECOND, n));
  written.eventAccountKeys = chosen.map((a) => a.key);
  log(`journeys: ${n} accounts of one person each; inserting accounts, people and identities`);
  try {
    const seedStart = Date.now();
    await seed(accounts, log);
    const seedMs = Date.now() - seedStart;
    const wakeStart = Date.now();
    const woken = await wake(stack, chosen, runTag);
    written.eventIds.push(...woken.eventIds);
    const wakeMs = Date.now() - wakeStart;
    log(`journeys: seeded in ${(seedMs / 1000).toFixed(1)} s; ${chosen.length - woken.cold}/${chosen.length} target account workflows woken in ${(wakeMs / 1000).toFixed(1)} s`);

    // --- (1a) Launches of SMALL_LAUNCH accounts, each stopped before the next.
    const few = accounts.slice(0, Math.min(SMALL_LAUNCH, n));
    const small = [];
    for (let r = 0; r < SMALL_LAUNCHES; r++) {
      const { id } = await createJourney(stack, `Bench whitepaper small ${r} ${runTag}`);
      written.journeys.push({ id, accounts: few });
      const launched = await launchByApi(stack, id, few, log, `API launch of ${few.length} (${r + 1}/${SMALL_LAUNCHES})`);
      const stopped = await stopByApi(stack, id, launched.figures.waiting, log, `API stop of ${few.length} (${r + 1}/${SMALL_LAUNCHES})`);
      small.push({ launch: launched.figures, stop: stopped });
    }

    // --- (1b) Launch of all N in one request.
    const mem = memorySnapshots(stack);
    const memoryBefore = mem.snapshot();
    const { id: journeyId } = await createJourney(stack, `Bench whitepaper ${runTag}`);
    written.journeys.push({ id: journeyId, accounts });
    const apiFloor = await apiRoundTrips(stack, journeyId);
    const loadLaunch = processLoad(stack.config.DATA_DIR);
    const launch = await launchByApi(stack, journeyId, accounts, log, `API launch of ${n}`);
    const launchLoad = loadLaunch();

    // --- (2) Memory with every instance waiting.
    const memoryWaiting = mem.snapshot();
    const legs = await startLegs(stack, journeyId, keys, launch.start);
    log(`journeys: memory rss ${memoryBefore.withoutGc.rssMB} → ${memoryWaiting.withoutGc.rssMB} MB (after GC ${memoryWaiting.afterGc?.rssMB ?? '-'} MB), ${memoryWaiting.worker.cachedWorkflows} workflows cached of at most ${stack.worker.options.maxCachedWorkflows}; start legs ${JSON.stringify(legs.startToRecordedWaitingMs)}`);

    // --- (3) Event → branch.
    const events = await eventToBranch(stack, journeyId, chosen, launch.figures.waiting, runTag, log);
    written.eventIds.push(...events.eventIds);

    // --- (4) Stop of all.
    const loadStop = processLoad(stack.config.DATA_DIR);
    const stop = await stopByApi(stack, journeyId, launch.figures.waiting - events.branched, log, `API stop of ${n}`);
    const stopLoad = loadStop();
    const memoryAfterStop = mem.snapshot();

    // --- Floors: the same starts and stops in this process; a write read back.
    const { id: baselineId, live: baselineLive } = await createJourney(stack, `Bench whitepaper baseline ${runTag}`);
    written.journeys.push({ id: baselineId, accounts });
    const loadBaseline = processLoad(stack.config.DATA_DIR);
    const baseline = await startInProcess(stack, baselineLive, accounts, log);
    const baselineLoad = loadBaseline();
    const baselineLegs = await startLegs(stack, baselineId, keys, baseline.start);
    const baselineStop = await stopInProcess(stack, baselineId, accounts, baseline.figures.waiting, log);
    const writeRead = await writeReadRoundTrips(Math.max(1, events.sent), runTag);

    const cachedGrowth = memoryWaiting.worker.cachedWorkflows - memoryBefore.worker.cachedWorkflows;
    const perCached = cachedGrowth > 0 ? (memoryWaiting.withoutGc.rssMB - memoryBefore.withoutGc.rssMB) / cachedGrowth : NaN;
    return {
      figures: {
        seed: { accounts: n, peoplePerAccount: 1, seedMs, targetAccountsWokenMs: wakeMs, targetAccountWorkflowsWoken: chosen.length - woken.cold },
        launchSmall: {
          accountsPerRequest: few.length,
          launches: small.length,
          answerMs: summarize(small.flatMap((s) => s.launch.answerMs)),
          jobsFinishedMs: nullable(small.map((s) => s.launch.jobsFinishedMs)),
          startsPerSecond: nullable(small.map((s) => s.launch.startsPerSecond)),
          allWaitingMs: nullable(small.map((s) => s.launch.allWaitingMs)),
          stopAnswerMs: nullable(small.map((s) => s.stop.answerMs)),
          stopJobFinishedMs: nullable(small.map((s) => s.stop.jobFinishedMs)),
          allStoppedMs: nullable(small.map((s) => s.stop.allStoppedMs)),
          runs: small,
        },
        launch: { ...launch.figures, legs, benchProcess: launchLoad },
        memory: {
          note: 'one process: the worker (main thread + its workflow thread), the API, the Temporal client and the load generator; heap figures are the main thread only (workflows run in the SDK worker thread, counted in rss); forced GC collects the main thread only',
          forcedGc: mem.forcedGc,
          maxCachedWorkflows: stack.worker.options.maxCachedWorkflows,
          reuseV8Context: stack.worker.options.reuseV8Context,
          workflowThreadPoolSize: stack.worker.options.workflowThreadPoolSize,
          heapGrowingPercent: stack.config.WORKER_HEAP_GROWING_PERCENT,
          beforeLaunch: memoryBefore,
          allWaiting: memoryWaiting,
          afterStop: memoryAfterStop,
          peakRssDuringLaunchMB: launch.figures.peakRssMB,
          peakCachedWorkflowsDuringLaunch: launch.figures.peakCachedWorkflows,
          rssGrowthMB: round(memoryWaiting.withoutGc.rssMB - memoryBefore.withoutGc.rssMB),
          rssGrowthAfterGcMB: memoryWaiting.afterGc && memoryBefore.afterGc ? round(memoryWaiting.afterGc.rssMB - memoryBefore.afterGc.rssMB) : null,
          cachedWorkflowsGrowth: cachedGrowth,
          /** rss growth over the growth of the worker's workflow cache (the instances beyond the cache are evicted: in Temporal, not in memory). */
          rssGrowthPerCachedWorkflowKB: round(perCached * 1024),
        },
        eventToBranch: events.figures,
        stop: { ...stop, benchProcess: stopLoad },
      },
      baseline: {
        startJourneyInProcess: {
          ...baseline.figures,
          legs: baselineLegs,
          benchProcess: baselineLoad,
          note: 'runs after the API launch and its stop: Temporal and the projection already hold N stopped instances',
        },
        stopSignalsInProcess: baselineStop,
        /** GET /v1/journeys/:id one at a time, just before the launch of N: beside the launch and stop answer times. */
        apiRoundTripMs: apiFloor,
        insertOneFindOneMs: writeRead,
      },
    };
  } finally {
    const t = Date.now();
    await within(cleanUp(written), 900000, 'removing the scenario data').catch((err: Error) => log(`journeys: clean-up: ${err.message}`));
    log(`journeys: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
