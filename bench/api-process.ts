// The API as its own process, as `npm start` starts it after a restart: a new
// process with nothing in memory, on the stack's database, Temporal and data
// folder, so that what it reads at first (the saved segment-preview snapshot)
// is measured the way an operator meets it.
import type { Config } from '../lib/config';
import { freePort } from '../scripts/stack/ports';
import { sleep } from './scenario';
import { spawnService } from './service-process';
import { AnyStack, apiAt } from './stack';

const READY_MS = 120000;

export interface ApiProcess {
  pid: number;
  /** From spawning it until it answered /healthz. */
  startedMs: number;
  api: AnyStack['api'];
  stop(): Promise<void>;
}

export async function startApiProcess(config: Config, log: (line: string) => void): Promise<ApiProcess> {
  const port = await freePort();
  const env = {
    MONGO_URL: config.MONGO_URL,
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
    TASK_QUEUE: config.TASK_QUEUE,
    ADMIN_API_KEY: config.ADMIN_API_KEY,
    SMTP_URL: config.SMTP_URL,
    DATA_DIR: config.DATA_DIR,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'error',
  };
  const spawned = Date.now();
  const child = spawnService('api/main.ts', env, log, { name: 'api', drainMs: 10000 });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitedWith() !== undefined) throw new Error(`the API process exited (${child.exitedWith()}) before it answered`);
    const ready = await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() - spawned > READY_MS) {
      await child.stop();
      throw new Error(`the API process did not answer within ${READY_MS / 1000} s`);
    }
    await sleep(200);
  }
  return { pid: child.pid, startedMs: Date.now() - spawned, api: apiAt(baseUrl, config.ADMIN_API_KEY), stop: child.stop };
}
