// Memory of this process (worker, API and bench share it) and the worker's workflow cache.
import v8 from 'node:v8';
import vm from 'node:vm';
import { peakRssMb } from './proc';
import type { BenchStack } from './stack';
import { round } from './stats';

const MB = 1024 * 1024;
export const mb = (bytes: number) => round(bytes / MB);

function memory() {
  const m = process.memoryUsage();
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers) };
}

/** global.gc when node runs with --expose-gc; otherwise the flag set at run time and gc taken from a fresh context. */
function forcedGc(): { gc?: () => void; how: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: 'global.gc (--expose-gc)' };
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (() => void) | undefined;
    if (typeof gc === 'function') return { gc, how: 'v8.setFlagsFromString(--expose-gc) + vm context gc (main thread only)' };
  } catch {
    // not available: figures without a forced GC
  }
  return { how: 'none: figures without a forced GC' };
}

function workerStatus(stack: BenchStack) {
  const s = stack.worker.getStatus();
  return { runState: s.runState, cachedWorkflows: s.numCachedWorkflows, inFlightActivities: s.numInFlightActivities, inFlightWorkflowActivations: s.numInFlightWorkflowActivations };
}

/** Snapshots before and after a forced GC (when one can be had), with the worker's cache and the peak rss so far. */
export function memorySnapshots(stack: BenchStack) {
  const gc = forcedGc();
  return {
    forcedGc: gc.how,
    snapshot() {
      const raw = memory();
      gc.gc?.();
      return { withoutGc: raw, afterGc: gc.gc ? memory() : null, worker: workerStatus(stack), peakRssSoFarMB: peakRssMb() };
    },
  };
}
