// The whole engine in this process, as `npm start` runs it in two: embedded
// PostgreSQL + FerretDB and the Temporal dev server on free loopback ports with
// throw-away state (or the servers MONGO_URL / TEMPORAL_ADDRESS name), a
// counting SMTP server for the email, the worker, and the API on an ephemeral
// port. With { worker: 'process' } the worker runs as its own process, as
// `npm start` runs it, so that its memory can be read apart. stop() undoes all
// of it, each step bounded in time, so a hung server cannot keep the bench alive.
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import pino from 'pino';
import { createApp } from '../api/app';
import { ensureAdminKey } from '../api/auth';
import { loadConfig, type Config } from '../lib/config';
import { connectMongo, disconnectMongo } from '../lib/mongo';
import { startEmbedded } from '../scripts/stack/embedded';
import { freePort } from '../scripts/stack/ports';
import { workflowBundleOptions } from '../workers/bundle';
import { limitHeapGrowth } from '../workers/heap';
import { createWorkers, workerOptions } from '../workers/options';
import { deliveryTargetFor } from '../lib/delivery-target';
import { closeMailers } from '../lib/mailer';
import { responseBody } from '../test/support/response-body';
import { SmtpSink, startSink } from './email/sink';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

export const ADMIN_KEY = 'bench-admin-key';
/** No single request may hold a scenario up longer than this (a stalled database would, forever). */
const REQUEST_TIMEOUT_MS = 120000;
/**
 * Emails per second the email queue may start: EMAIL_RATE_PER_SECOND is 20 by
 * default (a relay's limit); the bench raises it (BENCH_EMAIL_RATE) so that the
 * engine's own path is measured, not the limit.
 */
const EMAIL_RATE_PER_SECOND = process.env.BENCH_EMAIL_RATE || '10000';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/** What every stack has, wherever its worker runs. */
export interface AnyStack {
  config: Config;
  client: Client;
  database: 'ferretdb-embedded' | 'external';
  /** The SMTP server all email of the run goes to (SMTP_URL); EMAIL_RATE_PER_SECOND is config's. */
  smtp: SmtpSink;
  /** Where the API listens, e.g. http://127.0.0.1:41234. */
  baseUrl: string;
  /** Calls the real API over HTTP (keep-alive) with the admin key. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

/** The default stack: the worker runs in this process. */
export interface BenchStack extends AnyStack {
  /** The worker running in this process (its status: cached workflows; its options: the cache size). */
  worker: Worker;
  workerProcess?: undefined;
}

/** The worker in a process of its own: only what /proc tells of it. */
export interface WorkerProcessStack extends AnyStack {
  worker?: undefined;
  workerProcess: WorkerProcess;
}

/** Same host(s) and options, another database: the bench never writes into a database it was pointed at. */
export function withDatabase(mongoUrl: string, name: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(mongoUrl);
  if (!m) throw new Error(`MONGO_URL is not a mongodb:// URL: ${mongoUrl}`);
  return `${m[1]}/${name}${m[2] ?? ''}`;
}

async function bounded(what: string, p: Promise<unknown>, ms: number, log: (line: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(() => (log(`[bench] ${what} did not finish in ${ms / 1000}s; going on`), resolve()), ms)));
  await Promise.race([p.catch((err: Error) => log(`[bench] ${what} failed: ${err.message}`)), timeout]).finally(() => clearTimeout(timer));
}

/** Where the API saves segment previews' snapshot: the same folder api/main.ts uses, so an API process started on the stack reads it. */
export const audienceCheckpointDir = (config: Config) => path.join(config.DATA_DIR, 'audience');

/** Requests to the API at `baseUrl` with the bench's admin key; the body parsed when it is JSON. */
export function apiAt(baseUrl: string, key = ADMIN_KEY): AnyStack['api'] {
  return async (method, urlPath, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
    const res = await fetch(`${baseUrl}${urlPath}`, init).catch((err: Error) => {
      if (err.name === 'TimeoutError') throw new Error(`${method} ${urlPath}: no answer in ${REQUEST_TIMEOUT_MS / 1000} s (is the database stalled?)`);
      // undici says only "fetch failed"; the cause is what tells a reset from a refusal.
      throw new Error(`${method} ${urlPath}: ${err.message} (${(err.cause as Error | undefined)?.message ?? 'no cause'})`);
    });
    return { status: res.status, body: await responseBody(res) };
  };
}

export function startStack(log: (line: string) => void): Promise<BenchStack>;
export function startStack(log: (line: string) => void, opts: { worker: 'process' }): Promise<WorkerProcessStack>;
export async function startStack(log: (line: string) => void, opts?: { worker: 'process' }): Promise<BenchStack | WorkerProcessStack> {
  const suffix = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'b2b-bench-'));
  // PostgreSQL runs as its own user when we are root: it must be able to enter the folder.
  chmodSync(dataDir, 0o755);
  const externalMongo = process.env.MONGO_URL;
  const externalTemporal = process.env.TEMPORAL_ADDRESS;
  // Reverse-order closers, registered as soon as each thing exists, so a failed start cleans up too.
  const closers: Closers = [];
  const stop = async () => {
    for (const c of closers.reverse()) await bounded(c.what, c.close(), 30000, log);
    closers.length = 0;
  };
  try {
    closers.push({ what: 'removing the data dir', close: async () => rmSync(dataDir, { recursive: true, force: true }) });
    const embedded = await startEmbedded({
      dataDir,
      database: !externalMongo,
      temporal: !externalTemporal,
      ports: { postgres: await freePort(), mongo: await freePort(), temporal: await freePort(), temporalUi: await freePort() },
      log,
    });
    closers.push({ what: 'embedded servers', close: () => embedded.stop() });
    const smtp = await startSink();
    closers.push({ what: 'the SMTP sink', close: () => smtp.stop() });
    // Stopped after the worker: pooled SMTP connections would hold the sink (and this process) open.
    closers.push({ what: 'SMTP connections', close: closeMailers });

    // The worker process is configured by the same variables (its environment).
    const env: NodeJS.ProcessEnv = {
      MONGO_URL: externalMongo ? withDatabase(externalMongo, `b2b_bench_${suffix}`) : embedded.mongoUrl,
      TEMPORAL_ADDRESS: externalTemporal ?? embedded.temporalAddress,
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
      // Its own queue: on a shared Temporal no other worker takes our tasks.
      TASK_QUEUE: `bench-${suffix}`,
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      SMTP_URL: smtp.smtpUrl,
      EMAIL_RATE_PER_SECOND,
      // The worker's cache (memory against replays) and its background slots (background speed against live lag): a run may set them.
      ...(process.env.WORKFLOW_CACHE_SIZE ? { WORKFLOW_CACHE_SIZE: process.env.WORKFLOW_CACHE_SIZE } : {}),
      ...(process.env.BACKGROUND_CONCURRENCY ? { BACKGROUND_CONCURRENCY: process.env.BACKGROUND_CONCURRENCY } : {}),
      ...(process.env.WORKER_HEAP_GROWING_PERCENT ? { WORKER_HEAP_GROWING_PERCENT: process.env.WORKER_HEAP_GROWING_PERCENT } : {}),
    };
    const config = loadConfig(env);

    await connectMongo(config.MONGO_URL);
    closers.push({ what: 'mongo', close: disconnectMongo });
    if (externalMongo) closers.push({ what: 'dropping the bench database', close: () => mongoose.connection.db!.dropDatabase() });
    await ensureAdminKey(config.ADMIN_API_KEY);

    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    closers.push({ what: 'temporal client', close: () => connection.close() });
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    // Entity workflows never end by themselves: on a shared cluster, end the ones this run started.
    if (externalTemporal) closers.push({ what: 'terminating bench workflows', close: () => terminateAll(client, config.TASK_QUEUE) });

    let worker: { main: Worker } | { process: WorkerProcess };
    if (opts?.worker === 'process') {
      log('[bench] starting the worker process (it bundles the workflows)...');
      // Its errors reach the bench's log; the level is the only setting that differs.
      const child = await startWorkerProcess({ ...env, LOG_LEVEL: 'error' }, client, config.TASK_QUEUE, log);
      closers.push({ what: 'the worker process', close: child.stop });
      worker = { process: child };
    } else {
      worker = { main: await startInProcessWorker(config, client, closers, log) };
    }
    const delivery = deliveryTargetFor(config, client);
    closers.push({ what: 'event signals', close: () => delivery.signals.drain() });
    const app = createApp({ temporal: client, delivery, logger: pino({ level: 'silent' }), audienceCheckpointDir: audienceCheckpointDir(config) });
    const port = await freePort();
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s)).once('error', reject);
    });
    closers.push({
      what: 'api',
      close: () =>
        new Promise((resolve) => {
          server.close(resolve);
          // Keep-alive connections of our own fetch would hold close() open.
          server.closeAllConnections();
        }),
    });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const stack: AnyStack = {
      config,
      client,
      database: externalMongo ? 'external' : 'ferretdb-embedded',
      smtp,
      baseUrl,
      api: apiAt(baseUrl),
      stop,
    };
    return 'main' in worker ? { ...stack, worker: worker.main } : { ...stack, workerProcess: worker.process };
  } catch (err) {
    await stop();
    throw err;
  }
}

type Closers = { what: string; close: () => Promise<unknown> }[];

async function startInProcessWorker(config: Config, client: Client, closers: Closers, log: (line: string) => void): Promise<Worker> {
  // Quiet SDK logs; no signal hooks of its own: run.ts owns Ctrl-C and stops in order.
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  // As the worker's own process sets it; here it holds for the API and the load generator too.
  limitHeapGrowth(config.WORKER_HEAP_GROWING_PERCENT);
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  closers.push({ what: 'worker connection', close: () => nativeConnection.close() });
  log('[bench] bundling workflows and starting the worker...');
  const workers = await createWorkers(
    // An activity mid-way through a slow query ignores cancellation: do not wait for it forever.
    workerOptions(config, nativeConnection, client, { workflowBundle: await bundleWorkflowCode(workflowBundleOptions) }).map((o) => ({ ...o, shutdownForceTime: '15s' })),
  );
  const running = workers.run();
  closers.push({
    what: 'worker',
    close: async () => {
      workers.shutdown();
      await running;
    },
  });
  return workers.main;
}

async function terminateAll(client: Client, taskQueue: string): Promise<void> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"` })) ids.push(wf.workflowId);
  for (const id of ids) await client.workflow.getHandle(id).terminate('benchmark finished').catch(() => undefined);
}
