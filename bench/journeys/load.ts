// CPU of the stack's processes and this process's event-loop delay over a phase.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { round } from '../stats';

interface ProcTicks {
  comm: string;
  ticks: number;
}

/**
 * CPU ticks of the stack's processes (Linux): this one, its descendants, and any
 * process whose command line names the run's data dir (PostgreSQL, Temporal,
 * FerretDB), by command name. Other engineers' processes on the machine are not counted.
 */
function stackTicks(dataDir: string): Map<number, ProcTicks> {
  const all = new Map<number, { ppid: number; comm: string; ticks: number; args: string }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return new Map();
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const rest = stat.slice(close + 2).split(' ');
      let args = '';
      try {
        args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        // gone or not ours to read
      }
      all.set(Number(pid), { ppid: Number(rest[1]), comm: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(rest[11]) + Number(rest[12]), args });
    } catch {
      // the process ended while we read
    }
  }
  const mine = new Set<number>([process.pid]);
  for (const [pid, p] of all) if (p.args.includes(dataDir)) mine.add(pid);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of all) {
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return new Map([...mine].filter((pid) => all.has(pid)).map((pid) => [pid, { comm: pid === process.pid ? 'node (bench, API, worker)' : all.get(pid)!.comm, ticks: all.get(pid)!.ticks }]));
}

/** Percent of one core per command name between two readings (processes that ended in between are missed). */
function cpuByCommand(before: Map<number, ProcTicks>, after: Map<number, ProcTicks>, ms: number): Record<string, number> {
  const ticksPerSecond = 100;
  const byComm = new Map<string, number>();
  for (const [pid, p] of after) byComm.set(p.comm, (byComm.get(p.comm) ?? 0) + p.ticks - (before.get(pid)?.ticks ?? 0));
  const out: Record<string, number> = {};
  for (const [comm, ticks] of [...byComm].sort((a, b) => b[1] - a[1])) if (ticks > 0) out[comm] = round(((ticks / ticksPerSecond) * 1000 * 100) / Math.max(1, ms));
  return out;
}

/** Starts measuring; the returned function ends the phase and gives its figures. */
export function processLoad(dataDir: string) {
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
      /** Percent of one core (the machine has os.cpus().length), by process of the stack. */
      stackCpuPercent: cpuByCommand(ticksBefore, stackTicks(dataDir), ms),
      machineLoad1m: { before: round(loadBefore), after: round(os.loadavg()[0]) },
    };
  };
}
