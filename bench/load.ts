// The load over a phase: CPU of the stack's processes (/proc), this process's
// CPU and event-loop delay (API, worker and load generator share it: its load
// tells whether a latency is the engine's or the bench's), and the machine's.
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuByCommand, stackTicks } from './proc';
import { sleep } from './scenario';
import { round } from './stats';

export interface PhaseLoad {
  /** Of one core: this process (API, worker, bench), not the servers. */
  cpuPercent: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Percent of one core (the machine has os.cpus().length), by process of the stack. */
  stackCpuPercent: Record<string, number>;
  /** CPU time of the whole stack over the phase: what a unit of work cost the machine, divided by the units (cpuMsPer). */
  stackCpuMs: number;
  machineLoad1m: { before: number; after: number };
}

/** Percent of one core the whole stack used, from its processes' shares. */
const totalPercent = (byCommand: Record<string, number>): number => Object.values(byCommand).reduce((a, b) => a + b, 0);

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
    const stackCpuPercent = cpuByCommand(ticksBefore, stackTicks(dataDir), ms);
    return {
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / ms) * 100),
      eventLoopDelayMs: { p50: round(loop.percentile(50) / 1e6), p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) },
      stackCpuPercent,
      stackCpuMs: Math.round((totalPercent(stackCpuPercent) * ms) / 100),
      machineLoad1m: { before: round(loadBefore), after: round(os.loadavg()[0]) },
    };
  };
}

/** The stack's CPU milliseconds a unit of work (an event, a person) over one or more phases, to three decimals. */
export function cpuMsPer(units: number, ...loads: PhaseLoad[]): number {
  const ms = loads.reduce((sum, l) => sum + l.stackCpuMs, 0);
  return units > 0 ? Math.round((ms / units) * 1000) / 1000 : NaN;
}

/** Percent of one core the stack may use and still count as idle (its pollers and timers). */
const QUIET_PERCENT = 25;

/**
 * Waits until the stack uses less than QUIET_PERCENT of a core over a second,
 * or maxMs has passed: a floor measured right after a phase would otherwise
 * be charged with the work that phase left running. Resolves to how long it waited.
 */
export async function untilQuiet(dataDir: string, maxMs = 60000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < maxMs) {
    const before = stackTicks(dataDir);
    const t = Date.now();
    await sleep(1000);
    const used = totalPercent(cpuByCommand(before, stackTicks(dataDir), Date.now() - t));
    if (used < QUIET_PERCENT) break;
  }
  return Date.now() - start;
}
