// The worker as its own process (bench/service-process.ts), so that its
// memory is measured apart from the API and the load generator.
// thread-heaps.cjs is preloaded into it and its threads, so its heaps can be
// read thread by thread.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { peakRssMb, rssMb } from './proc';
import { sleep } from './scenario';
import { spawnService } from './service-process';

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
  const heapsFile = path.join(env.DATA_DIR ?? path.join(__dirname, '..'), `thread-heaps-${Date.now()}.ndjson`);
  const child = spawnService('workers/main.ts', { ...env, B2B_SERVICE: 'worker', BENCH_THREAD_HEAPS_FILE: heapsFile }, log, {
    name: 'worker',
    drainMs: DRAIN_MS,
    preload: path.join(__dirname, 'thread-heaps.cjs'),
  });
  const stop = child.stop;
  const pid = child.pid;
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (child.exitedWith() !== undefined) throw new Error(`the worker process exited (${child.exitedWith()}) before it polled ${taskQueue}`);
    if (await polled(client, taskQueue).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the worker process did not poll ${taskQueue} within ${READY_MS / 1000} s`);
    }
    await sleep(500);
  }
  return { pid, rssMb: () => rssMb(pid), peakRssMb: () => peakRssMb(pid), threadHeaps: () => latestHeaps(heapsFile, pid), stop };
}
