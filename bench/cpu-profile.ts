// Reads a V8 CPU profile (`node --cpu-prof`, one file per thread) and says
// where the CPU went: self time by file (ours by path, dependencies by package),
// and the inclusive time of the functions named on the command line (a sample
// counts once for a function however deep it recurses). `--window=FROM-TO`
// counts only the samples taken between two readings of the monotonic clock in
// microseconds (`monotonicMicros()`, which a scenario logs around a phase).
//   npx tsx bench/cpu-profile.ts [--window=FROM-TO] <file.cpuprofile> [functionName ...]
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Our files by their path in the repository, dependencies by package, Node's own as `node:`. */
function owner(url: string): string {
  if (!url) return '(native or idle)';
  if (url.startsWith('node:')) return url.split('/')[0];
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `pkg:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const root = path.resolve(__dirname, '..');
  const file = url.replace(/^file:\/\//, '');
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/** The clock V8 stamps its profile samples with (CLOCK_MONOTONIC), in microseconds. */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

export function summarizeProfile(profile: Profile, names: string[], top = 25, window?: { from: number; to: number }) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfByOwner = new Map<string, number>();
  const inclusive = new Map<string, number>(names.map((n) => [n, 0]));
  let total = 0;
  let idle = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.from || at > window.to)) continue;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(profile.samples[i])!;
    total += ms;
    if (node.callFrame.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    const o = owner(node.callFrame.url) + (node.callFrame.url ? '' : ` ${node.callFrame.functionName}`);
    selfByOwner.set(o, (selfByOwner.get(o) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const fn = byId.get(id)!.callFrame.functionName;
      if (inclusive.has(fn) && !seen.has(fn)) {
        seen.add(fn);
        inclusive.set(fn, inclusive.get(fn)! + ms);
      }
    }
  }
  const ms = (v: number) => Math.round(v);
  return {
    wallMs: ms(((window?.to ?? profile.endTime) - (window?.from ?? profile.startTime)) / 1000),
    sampledMs: ms(total),
    idleMs: ms(idle),
    busyMs: ms(total - idle),
    selfByFile: [...selfByOwner].sort((a, b) => b[1] - a[1]).slice(0, top).map(([file, v]) => ({ file, ms: ms(v) })),
    inclusiveMs: Object.fromEntries([...inclusive].map(([fn, v]) => [fn, ms(v)])),
  };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const windowArg = args.find((a) => a.startsWith('--window='))?.slice('--window='.length);
  const [file, ...names] = args.filter((a) => !a.startsWith('--window='));
  const [from, to] = (windowArg ?? '').split('-').map(Number);
  if (!file || (windowArg !== undefined && !(from < to))) {
    console.error('usage: npx tsx bench/cpu-profile.ts [--window=FROM-TO] <file.cpuprofile> [functionName ...]');
    process.exit(2);
  }
  const window = windowArg === undefined ? undefined : { from, to };
  console.log(JSON.stringify(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile, names, 25, window), null, 2));
}
