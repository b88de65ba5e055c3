// `npm run bench [-- ingest-lag ingest-max people-upsert rescore segments segment-save buying-groups journeys email crm nurture tracking]`:
// one stack, the chosen scenarios (all by default), a JSON file per result in
// bench/results/ and one line per figure on stdout. `journeys-memory` measures
// the worker as a process of its own: it runs alone, only when named. Every file records the
// machine, the commit measured (and whether the tree differed from it) and the
// floor its figures are compared with. BENCH_PEOPLE (10000) and BENCH_SECONDS
// (30) size the runs; with MONGO_URL / TEMPORAL_ADDRESS set, those servers are
// used instead of embedded ones.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buyingGroups } from './buying-groups';
import { crm } from './crm';
import { email } from './email';
import { ingestLag } from './ingest-lag';
import { ingestMax } from './ingest-max';
import { journeys } from './journeys';
import { journeysMemory } from './journeys-memory';
import { nurture } from './nurture';
import { peopleUpsert } from './people-upsert';
import { rescore } from './rescore';
import type { Scenario, ScenarioResult } from './scenario';
import { segmentSave } from './segment-save';
import { segments } from './segments';
import { BenchStack, startStack, WorkerProcessStack } from './stack';
import { tracking } from './tracking';

const SCENARIOS: Record<string, Scenario> = { 'ingest-lag': ingestLag, 'ingest-max': ingestMax, 'people-upsert': peopleUpsert, rescore, segments, 'segment-save': segmentSave, 'buying-groups': buyingGroups, journeys, email, crm, nurture, tracking };
/** Scenarios whose stack runs the worker as its own process. */
const WORKER_PROCESS_SCENARIOS: Record<string, Scenario<WorkerProcessStack>> = { 'journeys-memory': journeysMemory, 'rescore-worker-process': rescore, 'ingest-lag-worker-process': ingestLag };

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: path.join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/**
 * The code measured: HEAD when the run started (the code is loaded then), and
 * whether the tracked files differed from it, with those files (the working
 * tree may be shared: the list tells whether the changes touch what is measured).
 */
function codeCommit() {
  try {
    // `XY path` lines; the leading status columns may be blanks.
    const changed = git('status', '--porcelain', '--untracked-files=no')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    return { head: git('rev-parse', 'HEAD').trim(), dirty: changed.length > 0, changedFiles: changed.slice(0, 50), ...(changed.length > 50 ? { moreChangedFiles: changed.length - 50 } : {}) };
  } catch {
    return { head: 'unknown (not a git checkout)', dirty: null };
  }
}

/** The machine the figures were measured on. */
function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMB: Math.round(os.totalmem() / 1048576),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

const loadAvg = () => os.loadavg().map((v) => Math.round(v * 100) / 100);

/** `a.b.c = v` lines from nested figures, so a diff of two runs reads line by line. */
function flatten(prefix: string, value: unknown, out: string[]): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out.push(`${prefix} = ${JSON.stringify(value)}`);
  }
  return out;
}

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !SCENARIOS[n] && !WORKER_PROCESS_SCENARIOS[n]);
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')}; choose from: ${[...Object.keys(SCENARIOS), ...Object.keys(WORKER_PROCESS_SCENARIOS)].join(' ')}`);
    return 2;
  }
  const workerProcess = names.some((n) => WORKER_PROCESS_SCENARIOS[n]);
  if (workerProcess && names.length > 1) {
    console.error(`${names.filter((n) => WORKER_PROCESS_SCENARIOS[n]).join(', ')} runs alone: its worker is a process of its own`);
    return 2;
  }
  const selected = names.length ? names : Object.keys(SCENARIOS);
  const people = positiveInt('BENCH_PEOPLE', 10000);
  const seconds = positiveInt('BENCH_SECONDS', 30);
  const log = (line: string) => console.error(line);
  const resultsDir = path.join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });

  const commit = codeCommit();
  log(`[bench] ${selected.join(', ')} with ${people} people, ${seconds} s of load; code ${commit.head}${commit.dirty ? ' with changes' : ''}`);
  let starting: Promise<BenchStack | WorkerProcessStack> | undefined;
  // One stop, awaited by whoever comes second too: exiting before it ends would orphan
  // servers. A stack still starting is waited for, then stopped (a failed start cleans up itself).
  let stopped: Promise<void> | undefined;
  const stopOnce = () =>
    (stopped ??= (async () => {
      log('[bench] stopping...');
      const stack = await starting?.catch(() => undefined);
      await stack?.stop();
    })());
  // Ctrl-C (or SIGTERM from npm) still stops every server this run started.
  const interrupt = async () => {
    log('[bench] interrupted');
    await stopOnce();
    process.exit(130);
  };
  process.on('SIGINT', () => void interrupt());
  process.on('SIGTERM', () => void interrupt());

  let failed = false;
  try {
    starting = workerProcess ? startStack(log, { worker: 'process' }) : startStack(log);
    const stack = await starting;
    for (const name of selected) {
      const startedAt = new Date().toISOString();
      const loadAtStart = loadAvg();
      const file = path.join(resultsDir, `${name}-${people}.json`);
      const write = (result: ScenarioResult, partial: boolean) => {
        const record = {
          scenario: name,
          people,
          ...(partial ? { partial: 'the scenario had not finished when this was written: the figures so far' } : {}),
          startedAt,
          [partial ? 'writtenAt' : 'finishedAt']: new Date().toISOString(),
          machine: machine(),
          /** The machine's 1, 5 and 15 minute load averages when the scenario started and ended (other work on it shows here). */
          machineLoad: { atStart: loadAtStart, [partial ? 'atWrite' : 'atEnd']: loadAvg() },
          commit,
          database: stack.database,
          ...(result.skipped ? { skipped: result.skipped } : {}),
          figures: result.figures,
          /** What the figures are compared with: measured in the same run, on the same database. */
          floor: result.baseline,
        };
        writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      };
      log(`[bench] ${name}...`);
      try {
        const ctx = { people, seconds, log, progress: (partial: ScenarioResult) => write(partial, true) };
        const result = await (stack.workerProcess ? WORKER_PROCESS_SCENARIOS[name]({ ...ctx, stack }) : SCENARIOS[name]({ ...ctx, stack }));
        write(result, false);
        const lines = [...flatten('', result.figures, []), ...flatten('floor', result.baseline, [])];
        console.log(lines.map((l) => `${name}  ${l}`).join('\n'));
        log(`[bench] ${name} written to ${path.relative(process.cwd(), file)}`);
      } catch (err) {
        // One broken scenario does not cost the others their figures.
        failed = true;
        log(`[bench] ${name} failed: ${(err as Error).stack ?? err}`);
      }
    }
  } finally {
    await stopOnce();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`[bench] ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
