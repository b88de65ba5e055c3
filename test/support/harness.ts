import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../../api/app';
import { ensureAdminKey } from '../../api/auth';
import { loadConfig, type Config } from '../../lib/config';
import { closeMailers } from '../../lib/mailer';
import type { DeliveryTarget } from '../../lib/deliver-events';
import { connectMongo, disconnectMongo } from '../../lib/mongo';
import { createWorkers, workerOptions } from '../../workers/options';
import { deliveryTargetFor } from '../../lib/delivery-target';
import { responseBody } from './response-body';
import { claimTestNamespace, testServers } from './servers';

export const ADMIN_KEY = 'test-admin-key';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export interface Harness {
  config: Config;
  client: Client;
  delivery: DeliveryTarget;
  /** Where the API listens, for requests `api` cannot make (raw bodies, headers). */
  baseUrl: string;
  /** Where the API saves segment previews' snapshot (removed with the harness). */
  audienceCheckpointDir: string;
  /** Calls the real API over HTTP; the admin key unless another is given, `null` for none. */
  api<T = any>(method: string, path: string, body?: unknown, key?: string | null): Promise<ApiResponse<T>>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One test file's world on the shared real servers: its own database, Temporal
 * namespace and task queue (so files cannot see each other's data or workflows), the API on an
 * ephemeral port and a worker running the pre-built workflow bundle.
 */
export async function startHarness(overrides: Partial<Record<keyof Config, string>> = {}): Promise<Harness> {
  const servers = testServers();
  const suffix = randomBytes(4).toString('hex');
  const config = loadConfig({
    MONGO_URL: `${servers.mongoBase}/test_${suffix}`,
    TEMPORAL_ADDRESS: servers.temporalAddress,
    TEMPORAL_NAMESPACE: claimTestNamespace(),
    TASK_QUEUE: `test-${suffix}`,
    ADMIN_API_KEY: ADMIN_KEY,
    SMTP_URL: servers.smtpUrl,
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  // What is opened is closed again, also when the set-up itself fails half-way.
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
    closers.length = 0;
  };
  try {
    // The worker's email activities open pooled SMTP connections; they would outlive the file.
    closers.push(closeMailers);
    await connectMongo(config.MONGO_URL);
    closers.push(disconnectMongo);
    await ensureAdminKey(config.ADMIN_API_KEY);
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const delivery: DeliveryTarget = deliveryTargetFor(config, client);
    closers.push(() => delivery.signals.drain());
    const audienceCheckpointDir = mkdtempSync(path.join(os.tmpdir(), 'b2b-test-audience-'));
    closers.push(async () => rmSync(audienceCheckpointDir, { recursive: true, force: true }));
    const app = createApp({
      temporal: client,
      delivery,
      logger: pino({ level: 'silent' }),
      rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
      emailTokenSecret: config.EMAIL_TOKEN_SECRET,
      leadTransferMinEverySeconds: config.LEAD_TRANSFER_MIN_EVERY_SECONDS,
      tracking: { corsOrigins: config.TRACKING_CORS_ORIGINS, maxInFlight: config.TRACKING_MAX_IN_FLIGHT },
      audienceCheckpointDir,
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    let worker: { workers: Awaited<ReturnType<typeof createWorkers>>; running: Promise<void>; connection: NativeConnection } | undefined;
    const startWorker = async () => {
      if (worker) return;
      const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
      const workers = await createWorkers(workerOptions(config, nativeConnection, client, { workflowBundle: { codePath: servers.bundlePath } }));
      worker = { workers, running: workers.run(), connection: nativeConnection };
    };
    const stopWorker = async () => {
      if (!worker) return;
      const w = worker;
      worker = undefined;
      w.workers.shutdown();
      await w.running;
      await w.connection.close();
    };
    closers.push(stopWorker);
    await startWorker();

    return {
      config,
      client,
      delivery,
      baseUrl,
      audienceCheckpointDir,
      async api(method, path, body, key = ADMIN_KEY) {
        const headers: Record<string, string> = {};
        if (key) headers.authorization = `Bearer ${key}`;
        if (body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
        return { status: res.status, body: await responseBody(res) };
      },
      startWorker,
      stopWorker,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Polls until the check returns a value (not undefined) or the time is up; never a fixed sleep. */
export async function eventually<T>(check: () => Promise<T | undefined>, opts: { timeoutMs?: number; what?: string; explain?: () => Promise<string> } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const story = opts.explain ? `\n${await opts.explain().catch((err) => `(no explanation: ${String(err)})`)}` : '';
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}${story}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
