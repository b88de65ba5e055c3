// `npm run contract`: the API measured against its own OpenAPI document by
// schemathesis (`--checks all`), on a stack of its own (free loopback ports,
// throw-away data). Prints the cases run and the three figures we hold at 0:
// server errors, statuses the document does not name, schema-valid requests
// refused. Operations whose handlers check what a JSON Schema cannot state
// (x-checked-beyond-schema in the document, e.g. a journey's graph) may refuse
// schema-valid requests with 400; they are listed, not counted.
// CONTRACT_MAX_EXAMPLES (50 per operation) and CONTRACT_SEED size and fix the
// run; CONTRACT_TIMEOUT_SECONDS (1800) bounds it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHECKED_BEYOND_SCHEMA } from '../api/route';
import { ADMIN_KEY, BenchStack, startStack } from '../bench/stack';
import { repoRoot } from './tools/tools';

const SCHEMATHESIS_VERSION = '4.32.5';
const venv = path.join(repoRoot, '.tools', 'venv');
const schemathesis = path.join(venv, 'bin', 'schemathesis');
const log = (line: string) => console.error(line);

/** The failure types of schemathesis' JSON report that the contract holds at 0. */
const GATED = { serverErrors: 'ServerError', undocumentedStatuses: 'UndefinedStatusCode', rejectedValidRequests: 'RejectedPositiveData' } as const;

interface Report {
  test_cases: { generated: number };
  failures: { type: string; title: string; count: number; operations: string[] }[];
  errors: { title: string; count: number }[];
  complete: boolean;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

/** A venv in the git-ignored .tools/ with the pinned schemathesis, made once. */
function ensureSchemathesis(): void {
  const installed = existsSync(schemathesis) && spawnSync(schemathesis, ['--version'], { encoding: 'utf8' }).stdout?.includes(SCHEMATHESIS_VERSION);
  if (installed) return;
  log(`[contract] installing schemathesis ${SCHEMATHESIS_VERSION} into ${path.relative(repoRoot, venv)} (first run only)...`);
  const steps: [string, string[]][] = [
    [process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]],
    [path.join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`]],
  ];
  for (const [cmd, args] of steps) {
    const res = spawnSync(cmd, args, { stdio: 'inherit' });
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed${res.error ? `: ${res.error.message}` : ''} (Python 3.10+ with venv is needed)`);
  }
}

/** schemathesis' default for schema-valid requests, and 400 (see above). */
const ACCEPTED_WITH_RULES = ['2xx', '3xx', '400', '401', '403', '404', '409', '429', '5xx'];

/** A schemathesis configuration taking 400 from the operations the document says check more than their schemas. */
async function writeConfig(baseUrl: string, file: string): Promise<string[]> {
  const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const exempt = Object.entries(document.paths).flatMap(([p, item]) => Object.entries(item).flatMap(([method, op]) => (op[CHECKED_BEYOND_SCHEMA] ? [[method.toUpperCase(), p]] : [])));
  const toml = exempt.map(([method, p]) =>
    [`[[operations]]`, `include-path = ${JSON.stringify(p)}`, `include-method = ${JSON.stringify(method)}`, `checks.positive_data_acceptance.expected-statuses = ${JSON.stringify(ACCEPTED_WITH_RULES)}`, ''].join('\n'),
  );
  writeFileSync(file, toml.join('\n'));
  return exempt.map(([method, p]) => `${method} ${p}`);
}

/** Runs schemathesis to its end, or kills it when the time is up; resolves with its exit code. */
function runSchemathesis(args: string[], cwd: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    // Its caches go to the working directory: a throw-away one.
    const child = spawn(schemathesis, args, { cwd, stdio: 'inherit' });
    const timer = setTimeout(() => {
      log(`[contract] schemathesis still running after ${timeoutMs / 1000} s: stopping it`);
      child.kill('SIGTERM');
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
}

async function main(): Promise<number> {
  const maxExamples = positiveInt('CONTRACT_MAX_EXAMPLES', 50);
  const seed = positiveInt('CONTRACT_SEED', 1);
  const timeoutMs = positiveInt('CONTRACT_TIMEOUT_SECONDS', 1800) * 1000;
  ensureSchemathesis();

  let starting: Promise<BenchStack> | undefined;
  let stopped: Promise<void> | undefined;
  const stopOnce = () =>
    (stopped ??= (async () => {
      log('[contract] stopping the stack...');
      await (await starting?.catch(() => undefined))?.stop();
    })());
  const interrupt = async () => {
    await stopOnce();
    process.exit(130);
  };
  process.on('SIGINT', () => void interrupt());
  process.on('SIGTERM', () => void interrupt());

  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'b2b-contract-'));
  const reportPath = path.join(reportDir, 'report.json');
  try {
    starting = startStack(log);
    const stack = await starting;
    const configPath = path.join(reportDir, 'schemathesis.toml');
    const exempt = await writeConfig(stack.baseUrl, configPath);
    log(`[contract] schemathesis against ${stack.baseUrl}/openapi.json, ${maxExamples} examples per operation, seed ${seed}`);
    await runSchemathesis(
      [
        '--config-file', configPath,
        'run',
        `${stack.baseUrl}/openapi.json`,
        '--checks', 'all',
        '--header', `Authorization: Bearer ${ADMIN_KEY}`,
        '--max-examples', String(maxExamples),
        '--seed', String(seed),
        '--generation-database', 'none',
        '--request-timeout', '60',
        '--no-color',
        '--report', 'json',
        '--report-json-path', reportPath,
      ],
      reportDir,
      timeoutMs,
    );
    if (!existsSync(reportPath)) {
      log('[contract] schemathesis wrote no report');
      return 1;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    const count = (type: string) => report.failures.filter((f) => f.type === type).reduce((n, f) => n + f.count, 0);
    const figures = Object.fromEntries(Object.entries(GATED).map(([name, type]) => [name, count(type)])) as Record<keyof typeof GATED, number>;
    console.log(`contract  cases = ${report.test_cases.generated}`);
    for (const [name, n] of Object.entries(figures)) console.log(`contract  ${name} = ${n}`);
    // Shown, not gated: the other checks of `--checks all` and run errors.
    for (const f of report.failures.filter((f) => !(Object.values(GATED) as string[]).includes(f.type))) console.log(`contract  other: ${f.title} = ${f.count} (${f.operations.join(', ')})`);
    for (const e of report.errors) console.log(`contract  error: ${e.title} = ${e.count}`);
    console.log(`contract  400 taken from schema-valid requests (rules a JSON Schema cannot state, named in the document) by: ${exempt.join(', ')}`);
    // An error (a schema it cannot generate data for, a request that failed) leaves operations untested.
    const clean = report.complete && report.errors.length === 0 && Object.values(figures).every((n) => n === 0);
    log(clean ? '[contract] the API does what its document says' : '[contract] the API and its document disagree (see above)');
    return clean ? 0 : 1;
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
    await stopOnce();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log(`[contract] ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
