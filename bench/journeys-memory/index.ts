// Performance issue §3: "At 10,000 open journeys worker RSS is 4.2 GB today
// ... Goal ≤ 1 GiB. Show the curve: RSS against open journeys at 1K, 10K and
// 50K." The worker runs as its own process (bench/worker-process.ts), as
// `npm start` runs it, so its memory is read from /proc apart from the API and
// the load generator. BENCH_PEOPLE accounts of one person each are seeded
// (../journeys/accounts.ts); the bench journey, which waits up to 7 days for
// an event (../journeys/definition.ts), is launched through the API in steps
// up to each checkpoint (checkpoints.ts), one journey per step, each step
// followed until all its instances wait; then the worker's memory is read
// (worker-memory.ts). Floor: the same worker process before any journey.
// Each checkpoint is written to the result file as it comes (partial).
// Nothing is cleaned up: the scenario runs alone and its stack is thrown away.
import os from 'node:os';
import { newId } from '../../lib/ids';
import type { Scenario, ScenarioResult } from '../scenario';
import type { WorkerProcessStack } from '../stack';
import { round } from '../stats';
import { generate, seed } from '../journeys/accounts';
import { launchByApi } from '../journeys/api-phases';
import { createJourney } from '../journeys/definition';
import { waitingCount } from '../journeys/settle';
import { checkpoints } from './checkpoints';
import { IDLE_MS, workerMemory } from './worker-memory';

const GIB_MB = 1024;

export const journeysMemory: Scenario<WorkerProcessStack> = async ({ stack, people, log, progress }) => {
  const targets = checkpoints(people);
  const runTag = newId('r').slice(2, 10);
  log(`journeys-memory: worker process ${stack.workerProcess.pid}, checkpoints ${targets.join(', ')} open journeys; reading its memory before any journey`);
  const before = await workerMemory(stack);
  const baseline = { workerBeforeAnyJourney: before, note: `the same worker process right after it started, before seeding; rss again after ${IDLE_MS / 1000} s idle` };

  const accounts = generate(targets[targets.length - 1]);
  const seedStart = Date.now();
  await seed(accounts, log);
  const seedMs = Date.now() - seedStart;

  const worker = {
    pid: stack.workerProcess.pid,
    command: 'node --import tsx workers/main.ts (environment as the in-process stack\'s config)',
    maxCachedWorkflows: stack.config.WORKFLOW_CACHE_SIZE,
    backgroundConcurrency: stack.config.BACKGROUND_CONCURRENCY,
    heapGrowingPercent: stack.config.WORKER_HEAP_GROWING_PERCENT,
  };
  const reached: Record<string, unknown>[] = [];
  const journeyIds: string[] = [];
  const result = (): ScenarioResult => ({
    figures: {
      goal: `worker process RSS ≤ ${GIB_MB} MB at any number of open journeys`,
      worker,
      seed: { accounts: accounts.length, seedMs },
      idleMsBeforeSecondRead: IDLE_MS,
      checkpoints: reached,
    },
    baseline,
  });

  let from = 0;
  for (const target of targets) {
    const step = accounts.slice(from, target);
    const { id } = await createJourney(stack, `Bench memory ${target} ${runTag}`);
    journeyIds.push(id);
    const loadBefore = os.loadavg()[0];
    const launch = await launchByApi(stack, id, step, log, `API launch of ${step.length} (to ${target} open)`);
    let open = 0;
    for (const j of journeyIds) open += await waitingCount(j);
    const memory = await workerMemory(stack);
    const f = launch.figures;
    reached.push({
      target,
      openJourneys: open,
      launched: step.length,
      launch: { requests: f.requests, answerMs: f.answerMs, workError: f.workError, jobsFinishedMs: f.jobsFinishedMs, startsPerSecond: f.startsPerSecond, allWaitingMs: f.allWaitingMs, waitingPerSecond: f.waitingPerSecond, waiting: f.waiting },
      machineLoad1m: { before: round(loadBefore), after: round(os.loadavg()[0]) },
      worker: memory,
      withinGoal: memory.peakRssMB !== null && memory.peakRssMB <= GIB_MB,
    });
    const heaps = memory.threadHeapsAfterIdle.map((h) => `${h.main ? 'main' : `thread ${h.thread}`} ${h.heapUsedMB}/${h.heapTotalMB} (max ${h.maxHeapTotalMB})`).join(', ');
    log(`journeys-memory: ${open} open journeys: worker rss ${memory.rssMB} MB, ${memory.rssAfterIdleMB} MB after ${IDLE_MS / 1000} s idle, peak ${memory.peakRssMB} MB (before any journey ${before.rssAfterIdleMB} MB); heaps used/total MB ${heaps}; bench process ${memory.benchProcessRssMB} MB`);
    progress(result());
    from = target;
  }
  return result();
};
