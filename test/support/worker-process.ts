import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from '../../lib/config';

/** The line the child prints once its worker polls the task queue. */
export const WORKER_READY = 'worker-process: ready';
/** The environment variable naming an activity type the child takes and never runs; it prints HOLDING and the type when it takes one. */
export const HOLD_ACTIVITY = 'WORKER_PROCESS_HOLD_ACTIVITY';
export const HOLDING = 'worker-process: holding';

export interface WorkerProcess {
  readonly pid: number;
  /** SIGKILL: nothing is drained; the server times out what it had in flight. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the worker finishes its in-flight tasks and exits (Worker.run's shutdown). Resolves once the process is gone. */
  stop(): Promise<void>;
  /** Resolves when the child has printed this line. */
  printed(line: string): Promise<void>;
}

const root = path.resolve(__dirname, '..', '..');
const running = new Set<WorkerProcess>();
// A failed test must not leave a worker polling behind it.
process.on('exit', () => {
  for (const w of running) process.kill(w.pid, 'SIGKILL');
});

/**
 * A worker in a process of its own, made exactly like the harness's
 * (workers/options.ts with the harness config and the pre-built bundle), so a
 * test can kill it the hard way, mid-task, and start another:
 *
 *   await h.stopWorker();                          // the child must be the only worker on the queue
 *   let worker = await startWorkerProcess(h.config);
 *   ...                                            // work in flight
 *   await worker.kill();                           // SIGKILL
 *   worker = await startWorkerProcess(h.config);   // a new process takes over
 *   ...
 *   await worker.kill();                           // in afterAll, before h.close()
 *
 * Resolves once the child printed WORKER_READY; rejects with its stderr if it exits first.
 * Node runs the TypeScript itself (`--import tsx`, no tsx CLI in between), so the
 * pid is the worker's own and a SIGKILL reaches it.
 */
export async function startWorkerProcess(config: Config, opts: { holdActivity?: string } = {}): Promise<WorkerProcess> {
  const env = { ...process.env, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])), ...(opts.holdActivity ? { [HOLD_ACTIVITY]: opts.holdActivity } : {}) };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'worker-process-main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const seen = new Set<string>();
  const watchers: { line: string; resolve: () => void }[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    seen.add(line);
    for (const w of watchers.filter((x) => x.line === line)) w.resolve();
  });
  const printed = (line: string) => (seen.has(line) ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ line, resolve })));
  await new Promise<void>((resolve, reject) => {
    printed(WORKER_READY).then(resolve);
    child.once('exit', (code, signal) => reject(new Error(`worker process exited before it was ready (${signal ?? code}): ${stderr}`)));
    child.once('error', reject);
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    running.delete(handle);
  };
  const handle: WorkerProcess = { pid: child.pid!, kill: () => end('SIGKILL'), stop: () => end('SIGTERM'), printed };
  running.add(handle);
  return handle;
}
