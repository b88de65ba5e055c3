// The worker as its own process, started the way `npm start` starts it
// (workers/main.ts, configured by environment variables), so that its memory
// is measured apart from the API and the load generator. One process: tsx is
// loaded with --import rather than through its CLI, which would run the
// worker in a second node under it. thread-heaps.cjs is preloaded into it and
// its threads, so its heaps can be read thread by thread.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { peakRssMb, rssMb } from './proc';
import { sleep } from './scenario';

/** Bundling the workflows alone takes ~20 s on a busy 2-core machine. */
const READY_MS = 180000;
/** SIGTERM lets the worker drain its in-flight tasks; past this it is killed. */
const DRAIN_MS = 20000;

/** One thread's V8 heap, as it last reported it. */
export interface ThreadHeap {
  thread: number;
  main: boolean;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  /** The largest heapTotalMB it has reported since the process started. */
  maxHeapTotalMB: number;
}

export interface WorkerProcess {
  pid: number;
  /** Resident set now (VmRSS), MB; null once the process is gone. */
  rssMb(): number | null;
  /** Peak resident set since it started (VmHWM), MB. */
  peakRssMb(): number | null;
  /** Each thread's heap from its latest report (every 2 s), by thread id. */
  threadHeaps(): ThreadHeap[];
  stop(): Promise<void>;
}

/** The latest sample of each thread of process `pid` (the bundling child writes to the file too). */
function latestHeaps(file: string, pid: number): ThreadHeap[] {
  if (!existsSync(file)) return [];
  const latest = new Map<number, ThreadHeap>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const { at: _at, pid: of, ...heap } = JSON.parse(line) as Omit<ThreadHeap, 'maxHeapTotalMB'> & { at: number; pid: number };
    if (of === pid) latest.set(heap.thread, { ...heap, maxHeapTotalMB: Math.max(heap.heapTotalMB, latest.get(heap.thread)?.maxHeapTotalMB ?? 0) });
  }
  return [...latest.values()].sort((a, b) => a.thread - b.thread);
}

/** Whether a worker polls the queue's workflow tasks: the worker is up once it does. */
async function polled(client: Client, taskQueue: string): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (res.pollers ?? []).length > 0;
}

/**
 * Starts workers/main.ts with exactly `env` (plus PATH, HOME and TMPDIR) and
 * resolves once it polls `taskQueue`; its output goes to `log`, line by line.
 */
export async function startWorkerProcess(env: NodeJS.ProcessEnv, client: Client, taskQueue: string, log: (line: string) => void): Promise<WorkerProcess> {
  const root = path.join(__dirname, '..');
  const inherited = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  const heapsFile = path.join(env.DATA_DIR ?? root, `thread-heaps-${Date.now()}.ndjson`);
  const child = spawn(process.execPath, ['--require', path.join(__dirname, 'thread-heaps.cjs'), '--import', 'tsx', 'workers/main.ts'], {
    cwd: root,
    env: { ...inherited, ...env, B2B_SERVICE: 'worker', BENCH_THREAD_HEAPS_FILE: heapsFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => log(`[worker ${child.pid}] ${line}`));
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = `${signal ?? code}`;
      resolve();
    }),
  );
  // Whatever way this process ends (process.exit after a failure too), the worker does not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    if (exitedWith === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), DRAIN_MS);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
  };
  const pid = child.pid!;
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`the worker process exited (${exitedWith}) before it polled ${taskQueue}`);
    if (await polled(client, taskQueue).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the worker process did not poll ${taskQueue} within ${READY_MS / 1000} s`);
    }
    await sleep(500);
  }
  return { pid, rssMb: () => rssMb(pid), peakRssMb: () => peakRssMb(pid), threadHeaps: () => latestHeaps(heapsFile, pid), stop };
}
