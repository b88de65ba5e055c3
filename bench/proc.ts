// What Linux's /proc says about the stack's processes: CPU ticks per process
// (this one, its children, and the servers whose command line names the run's
// data dir), and a process's resident set now and at its peak. Off Linux
// every reader answers nothing (an empty map, null) rather than failing a run.
import { readdirSync, readFileSync } from 'node:fs';
import { round } from './stats';

/** The kernel's clock ticks per second (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcTicks {
  comm: string;
  ticks: number;
}

const WORKER_ENTRY = 'workers/main.ts';

/**
 * CPU ticks (user + system) of the stack's processes: this one, its
 * descendants, and any process whose command line names the run's data dir
 * (PostgreSQL, Temporal, FerretDB). Other engineers' processes on the machine
 * are not counted.
 */
export function stackTicks(dataDir: string): Map<number, ProcTicks> {
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
  // A worker of its own (bench/worker-process.ts) is named apart from this process.
  const workerApart = [...mine].some((pid) => all.get(pid)?.args.includes(WORKER_ENTRY));
  const self = workerApart ? 'node (bench, API)' : 'node (bench, API, worker)';
  const comm = (pid: number) => (pid === process.pid ? self : all.get(pid)!.args.includes(WORKER_ENTRY) ? 'node (worker)' : all.get(pid)!.comm);
  return new Map([...mine].filter((pid) => all.has(pid)).map((pid) => [pid, { comm: comm(pid), ticks: all.get(pid)!.ticks }]));
}

/** Percent of one core per command name between two readings (processes that ended in between are missed). */
export function cpuByCommand(before: Map<number, ProcTicks>, after: Map<number, ProcTicks>, ms: number): Record<string, number> {
  const byComm = new Map<string, number>();
  for (const [pid, p] of after) byComm.set(p.comm, (byComm.get(p.comm) ?? 0) + p.ticks - (before.get(pid)?.ticks ?? 0));
  const out: Record<string, number> = {};
  for (const [comm, ticks] of [...byComm].sort((a, b) => b[1] - a[1])) if (ticks > 0) out[comm] = round(((ticks / TICKS_PER_SECOND) * 1000 * 100) / Math.max(1, ms));
  return out;
}

/** A line of /proc/<pid>/status in MB (VmRSS: now; VmHWM: the peak so far), or null off Linux or once the process is gone. */
function statusMb(field: 'VmRSS' | 'VmHWM', pid: number | 'self'): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Resident set of a process (this one by default) now, in MB. */
export const rssMb = (pid: number | 'self' = 'self') => statusMb('VmRSS', pid);

/** Peak resident set of a process (this one by default) so far, in MB. */
export const peakRssMb = (pid: number | 'self' = 'self') => statusMb('VmHWM', pid);
