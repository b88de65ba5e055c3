import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface Managed {
  name: string;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Spawns a long-running server with its output in a log file, and a stop()
 * that sends SIGTERM and, if it lingers, SIGKILL.
 */
export function startChild(name: string, command: string, args: string[], opts: { logDir: string; env?: NodeJS.ProcessEnv; cwd?: string }): Managed {
  mkdirSync(opts.logDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    process: child,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/** Rejects as soon as the child exits, so a crashed server fails fast instead of timing out. */
export function exitAsError(m: Managed): Promise<never> {
  return new Promise((_, reject) =>
    m.process.once('exit', (code, signal) => reject(new Error(`${m.name} exited (${signal ?? code}); see ${m.logFile}`))),
  );
}
