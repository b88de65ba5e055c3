// "Accepted events/s and accepted-and-applied events/s at the API's own pace,
// beside insertMany of the same documents" (issue 15 §1). BENCH_PEOPLE / 10
// accounts of 10 known people each (BENCH_PEOPLE=1000: 100 accounts; 10000:
// 1,000), seeded straight into the database (seed.ts) under the LAG_MODEL
// scoring model; no account workflow runs before the load.
//
// (1) Load: CLIENTS closed-loop clients post batches of 500 events over the N
//     accounts to POST /v1/events for BENCH_SECONDS (clients.ts, events.ts),
//     then the accounts' counters are read until they show every accepted
//     event (applied.ts). Every statement and Temporal call of the process is
//     counted meanwhile, the API's per batch and each activity's per execution
//     (trace.ts); the process's RSS (API, worker and bench are one process)
//     before and after.
// (2) Floor: insertMany of the same interaction documents, same clients and
//     batch size, into a scratch collection of the same database; twice, the
//     better is the floor (floor.ts).
// (3) The accept path taken apart: a few batches one at a time, each request's
//     statements by kind (accept-apart.ts); the apply side from a sample of the
//     account workflows' histories (histories.ts).
import { randomBytes } from 'node:crypto';
import { LAG_MODEL } from '../ingest-lag';
import { cpuMsPer, processLoad, untilQuiet } from '../load';
import { memorySnapshots } from '../memory';
import { putScoringModel, Scenario, waitForProgress, within } from '../scenario';
import { round } from '../stats';
import { acceptApart, APART_BATCHES } from './accept-apart';
import { untilApplied } from './applied';
import { cleanUp } from './clean-up';
import { postBatches } from './clients';
import { BATCH } from './events';
import { insertManyFloor } from './floor';
import { applyCalls } from './histories';
import { counters, generate, modelSettled, PEOPLE_PER_ACCOUNT, seed } from './seed';
import { byActivity, byKind, inFlight, traceStatements } from './trace';

const ACCEPTED_GOAL = 0.5;
const APPLIED_GOAL = 0.25;
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const ratio = (a: number | null, b: number) => (a === null ? null : Math.round((a / b) * 1000) / 1000);

export const ingestMax: Scenario = async ({ stack, people, seconds, log }) => {
  // Hex: the tag goes into email domains, where base64url's '_' is not allowed.
  const runTag = randomBytes(4).toString('hex');
  const tag = `bench-ingest-max-${runTag}`;
  const accounts = generate(Math.max(1, Math.floor(people / PEOPLE_PER_ACCOUNT)), runTag);
  const personIds = new Map(accounts.flatMap((a) => a.people.map((p) => [p.email, p._id] as const)));
  log(`ingest-max: ${accounts.length} accounts × ${PEOPLE_PER_ACCOUNT} people; ${seconds} s of closed-loop load`);
  try {
    const modelVersion = await putScoringModel(stack, LAG_MODEL);
    // The model's re-score of what is there already must not run during the load.
    await modelSettled(stack, modelVersion, log);
    const seedStart = Date.now();
    await seed(accounts, tag);
    const seedMs = Date.now() - seedStart;
    const before = await counters(tag);
    const mem = memorySnapshots(stack);
    const memoryBefore = mem.snapshot();

    // --- (1) The load, then until every accepted event is applied.
    const trace = traceStatements(stack);
    const load = processLoad(stack.config.DATA_DIR);
    const posted = await postBatches(stack, accounts, runTag, seconds, log);
    const loadEnd = Date.now();
    const loadProcess = load();
    if (posted.accepted === 0) throw new Error(`no event was accepted: ${JSON.stringify(posted.figures.failedSamples ?? [])}`);
    const memoryAfterLoad = mem.snapshot();
    log(`ingest-max: ${posted.accepted} accepted in ${(posted.loadMs / 1000).toFixed(1)} s (${posted.figures.acceptedPerSecond}/s, POST p50 ${posted.figures.postMs.p50} ms); waiting until applied`);
    const applying = processLoad(stack.config.DATA_DIR);
    const applied = await untilApplied(tag, before, posted.posted, posted.start, log);
    const applyProcess = applying();
    const statements = trace.stop();
    const memoryAfterApplied = mem.snapshot();
    const apiStatements = statements.filter((s) => !s.activity && s.start >= posted.start && s.end <= loadEnd);
    log(`ingest-max: applied ${applied.figures.eventsApplied}/${posted.accepted} after ${((applied.figures.appliedMs ?? 0) / 1000).toFixed(1)} s (${applied.figures.acceptedAndAppliedPerSecond ?? '-'}/s); rss ${memoryBefore.withoutGc.rssMB} → ${memoryAfterApplied.withoutGc.rssMB} MB; the floor...`);

    // --- (2) The floor.
    const personIdOf = (email: string) => personIds.get(email) ?? email;
    const settledMs = await untilQuiet(stack.config.DATA_DIR);
    const floorRuns = [await insertManyFloor(posted.posted, personIdOf, runTag, 1, stack.config.DATA_DIR), await insertManyFloor(posted.posted, personIdOf, runTag, 2, stack.config.DATA_DIR)];
    const best = floorRuns.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
    const floor = best.eventsPerSecond;
    const cpuMsPerEvent = { acceptedAndApplied: cpuMsPer(applied.figures.eventsApplied, loadProcess, applyProcess), floor: best.cpuMsPerEvent };
    const acceptedRatio = ratio(posted.figures.acceptedPerSecond, floor);
    const appliedRatio = ratio(applied.figures.acceptedAndAppliedPerSecond, floor);
    log(`ingest-max: insertMany floor ${floorRuns.map((r) => r.eventsPerSecond).join(', ')} events/s; accepted ${acceptedRatio}× (goal ≥ ${ACCEPTED_GOAL}), applied ${appliedRatio}× (goal ≥ ${APPLIED_GOAL}); the stack's CPU an event ${cpuMsPerEvent.acceptedAndApplied} ms, the floor's ${cpuMsPerEvent.floor} ms; the accept path taken apart...`);

    // --- (3) Taken apart.
    const apartBefore = sum(await counters(tag));
    const apart = await acceptApart(stack, accounts, runTag, posted.posted.length);
    const apartStart = Date.now();
    const apartApplied = await waitForProgress(async () => sum(await counters(tag)) - apartBefore, (n) => n >= apart.accepted, { stallMs: 120000, maxMs: 600000, everyMs: 1000 });
    const calls = await applyCalls(stack, accounts, posted.start, posted.start + (applied.figures.appliedMs ?? Date.now() - posted.start));
    log(`ingest-max: a batch alone: ${apart.requestMs.p50} ms, ${apart.statementsPerRequest.p50} statements; applyEvents ${calls.runMs.p50} ms a call (${calls.eventsPerCall.p50} events), queued ${calls.queueMs.p50} ms`);

    return {
      figures: {
        accounts: accounts.length,
        peoplePerAccount: PEOPLE_PER_ACCOUNT,
        scoringModelVersion: modelVersion ?? null,
        seedMs,
        load: { ...posted.figures, process: loadProcess },
        applied: { ...applied.figures, process: applyProcess },
        ratioToFloor: { accepted: acceptedRatio, acceptedAndApplied: appliedRatio },
        /** The whole stack's CPU an event, accepted and applied (the load and the apply after it), against the floor's best run: what the ratio goals ask of each event's work. */
        cpuMsPerEvent,
        settledMsBeforeFloor: settledMs,
        goal: `accepted ≥ ${ACCEPTED_GOAL}× floor, accepted and applied ≥ ${APPLIED_GOAL}× floor`,
        goalMet: { accepted: acceptedRatio !== null && acceptedRatio >= ACCEPTED_GOAL, acceptedAndApplied: appliedRatio !== null && appliedRatio >= APPLIED_GOAL },
        memory: {
          note: 'one process: API, worker (main thread and its workflow threads) and the load generator; rss of all of it',
          maxCachedWorkflows: stack.worker.options.maxCachedWorkflows,
          beforeLoad: memoryBefore,
          afterLoad: memoryAfterLoad,
          afterApplied: memoryAfterApplied,
          rssGrowthMB: round(memoryAfterApplied.withoutGc.rssMB - memoryBefore.withoutGc.rssMB),
        },
        /** Statements and Temporal calls during the load: the API's per accepted batch of BATCH events, each activity's per execution (load and apply). */
        statements: {
          apiPerBatch: byKind(apiStatements, posted.posted.length),
          activities: byActivity(statements),
          /** Statements running at once, on average, while the clients posted and then until all was applied. */
          inFlight: { load: inFlight(statements, posted.start, loadEnd), applyAfterLoad: inFlight(statements, loadEnd, posted.start + (applied.figures.appliedMs ?? loadEnd - posted.start)) },
        },
        acceptApart: { ...apart, allAppliedAfterLastMs: apartApplied.done ? Date.now() - apartStart : null },
        applyCalls: calls,
        eventsPerBatch: BATCH,
        apartBatches: APART_BATCHES,
      },
      baseline: { insertMany: floorRuns, floorEventsPerSecond: floor },
    };
  } finally {
    const t = Date.now();
    await within(cleanUp(accounts), 900000, 'removing the scenario data').catch((err: Error) => log(`ingest-max: clean-up: ${err.message}`));
    log(`ingest-max: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
