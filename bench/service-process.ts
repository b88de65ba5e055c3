// One of the engine's services (api/main.ts, workers/main.ts) as its own
// process, started the way `npm start` starts it: configured by environment
// variables, tsx loaded with --import (its CLI would run a second node under
// it). Its output goes to the bench's log line by line, and it never outlives
// the bench.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface ServiceProcess {
  pid: number;
  /** How it exited (code or signal), undefined while it runs. */
  exitedWith(): string | undefined;
  /** SIGTERM, then SIGKILL after `drainMs`. */
  stop(): Promise<void>;
}

/** Starts `entry` (relative to the repository) with exactly `env` plus PATH, HOME and TMPDIR. */
export function spawnService(entry: string, env: NodeJS.ProcessEnv, log: (line: string) => void, opts: { name: string; drainMs: number; preload?: string }): ServiceProcess {
  const inherited = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  const child = spawn(process.execPath, [...(opts.preload ? ['--require', opts.preload] : []), '--import', 'tsx', entry], {
    cwd: path.join(__dirname, '..'),
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => log(`[${opts.name} ${child.pid}] ${line}`));
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = `${signal ?? code}`;
      resolve();
    }),
  );
  // Whatever way this process ends (process.exit after a failure too), the service does not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    pid: child.pid!,
    exitedWith: () => exitedWith,
    async stop() {
      if (exitedWith === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.drainMs);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
    },
  };
}
