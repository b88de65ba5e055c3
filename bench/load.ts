// The load over a phase: CPU of the stack's processes (/proc), this process's
// CPU and event-loop delay (API, worker and load generator share it: its load
// tells whether a latency is the engine's or the bench's), and the machine's.
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuByCommand, stackTicks } from './proc';
import { round } from './stats';

export interface PhaseLoad {
  /** Of one core: this process (API, worker, bench), not the servers. */
  cpuPercent: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Percent of one core (the machine has os.cpus().length), by process of the stack. */
  stackCpuPercent: Record<string, number>;
  machineLoad1m: { before: number; after: number };
}

/** Starts measuring; the returned function ends the phase and gives its figures. `dataDir` names the stack's servers (stack.config.DATA_DIR). */
export function processLoad(dataDir: string): () => PhaseLoad {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const ticksBefore = stackTicks(dataDir);
  const start = Date.now();
  const loadBefore = os.loadavg()[0];
  return () => {
    loop.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const ms = Math.max(1, Date.now() - start);
    return {
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / ms) * 100),
      eventLoopDelayMs: { p50: round(loop.percentile(50) / 1e6), p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) },
      stackCpuPercent: cpuByCommand(ticksBefore, stackTicks(dataDir), ms),
      machineLoad1m: { before: round(loadBefore), after: round(os.loadavg()[0]) },
    };
  };
}
