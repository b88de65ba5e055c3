import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities';
import { backgroundQueue } from '../domain/background-queue';
import { batchesPerSecond, channelQueue, dispatcherQueue } from '../domain/delivery/queues';
import type { Config } from '../lib/config';
import { DeliveryConfig, deliveryTargetFor } from '../lib/delivery-target';
import { LIVENESS_BEAT_MS } from '../lib/liveness';

/** Dispatchers are one per lane (email, sales, each CRM connection and audience): all of them stay in memory. */
const DISPATCHERS_CACHED = 100;

export type WorkerConfig = DeliveryConfig &
  Pick<Config, 'TEMPORAL_NAMESPACE' | 'JOURNEY_WEBHOOK_SECRET' | 'JOURNEY_WEBHOOK_ALLOW_PRIVATE' | 'EMAIL_RATE_PER_SECOND' | 'SMTP_URL' | 'MAIL_FROM' | 'PUBLIC_URL' | 'EMAIL_TOKEN_SECRET' | 'WORKFLOW_CACHE_SIZE' | 'BACKGROUND_CONCURRENCY'>;

/**
 * The workers of one process, shared by the entry point and the tests (which
 * pass a pre-built bundle): the main queue runs the workflows and their
 * activities; email, CRM records and audience changes go out from queues of
 * their own (email's rate limit is the relay's), so a slow destination never
 * holds up journeys or scoring; refreshes run on the background queue.
 */
export function workerOptions(config: WorkerConfig, connection: NativeConnection, client: Client, workflowCode: { workflowBundle: WorkflowBundleOption }): WorkerOptions[] {
  const activities = createActivities({
    delivery: deliveryTargetFor(config, client),
    webhooks: { secret: config.JOURNEY_WEBHOOK_SECRET, allowPrivate: config.JOURNEY_WEBHOOK_ALLOW_PRIVATE },
    email: { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, publicUrl: config.PUBLIC_URL, tokenSecret: config.EMAIL_TOKEN_SECRET },
    backgroundSlots: config.BACKGROUND_CONCURRENCY,
  });
  const common = { connection, namespace: config.TEMPORAL_NAMESPACE, activities, maxConcurrentActivityTaskExecutions: 20, maxHeartbeatThrottleInterval: LIVENESS_BEAT_MS };
  return [
    ...apart({ ...common, taskQueue: config.TASK_QUEUE, ...workflowCode, maxCachedWorkflows: config.WORKFLOW_CACHE_SIZE }),
    // The lanes' dispatchers (a few long-lived workflows and their claims), apart from the main queue's thousands.
    ...apart({ ...common, taskQueue: dispatcherQueue(config.TASK_QUEUE), ...workflowCode, maxCachedWorkflows: DISPATCHERS_CACHED, workflowThreadPoolSize: 1 }),
    { ...common, taskQueue: channelQueue(config.TASK_QUEUE, 'email'), maxTaskQueueActivitiesPerSecond: batchesPerSecond(config.EMAIL_RATE_PER_SECOND, config.EMAIL_BATCH_SIZE) },
    // Each connection's dispatcher paces its own requests (one batch at a time, resting as its rate requires).
    { ...common, taskQueue: channelQueue(config.TASK_QUEUE, 'crm') },
    // Each audience's dispatcher sends one batch at a time; LinkedIn's throttling is met by Retry-After.
    { ...common, taskQueue: channelQueue(config.TASK_QUEUE, 'audience') },
    // Refreshes no event asked for: a few at a time, however many a model change queues.
    { ...common, taskQueue: backgroundQueue(config.TASK_QUEUE), maxConcurrentActivityTaskExecutions: config.BACKGROUND_CONCURRENCY },
  ];
}

/** Whether a worker's options give it workflows to run (else it takes activity tasks only). */
export const runsWorkflows = (o: WorkerOptions) => o.workflowBundle !== undefined || o.workflowsPath !== undefined;

/**
 * A queue's workflows (with their local activities) and its activity tasks as
 * two workers, so that stopping can end the workflows first (createWorkers).
 */
function apart(options: WorkerOptions): WorkerOptions[] {
  const { workflowBundle: _bundle, maxCachedWorkflows: _cached, workflowThreadPoolSize: _threads, ...activitiesOnly } = options;
  return [{ ...options, enableNonLocalActivities: false }, activitiesOnly];
}

/**
 * Creates the workers together (`main`: the first, the main queue's workflows);
 * run() resolves when all have stopped. shutdown() drains the workflow workers
 * first and only then the activity workers: an activity a last workflow task
 * schedules is still taken and run. Stopping a poller can lose the task the
 * server is handing it at that moment (the server marks it started), and that
 * task would wait out its heartbeat or start-to-close timeout.
 */
export async function createWorkers(options: WorkerOptions[]): Promise<{ main: Worker; all: Worker[]; run(): Promise<void>; shutdown(): void }> {
  const workers = await Promise.all(options.map((o) => Worker.create(o)));
  const workflowWorkers = workers.filter((_w, i) => runsWorkflows(options[i]));
  const activityWorkers = workers.filter((_w, i) => !runsWorkflows(options[i]));
  const runs = new Map<Worker, Promise<void>>();
  const stop = (ws: Worker[]) => ws.filter((w) => w.getState() === 'RUNNING').forEach((w) => w.shutdown());
  return {
    main: workers[0],
    all: workers,
    run: async () => {
      for (const w of workers) runs.set(w, w.run());
      await Promise.all(runs.values());
    },
    shutdown: () => {
      stop(workflowWorkers);
      void Promise.allSettled(workflowWorkers.map((w) => runs.get(w))).then(() => stop(activityWorkers));
    },
  };
}

/** SIGINT and SIGTERM stop the workers in that order (the runtime must be installed with no shutdown signals of its own). */
export function drainOnSignals(workers: { shutdown(): void }): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => workers.shutdown());
}
