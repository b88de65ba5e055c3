import type { Client } from '@temporalio/client';
import { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../lib/config';

/** Worker options shared by the entry point and the tests (which pass a pre-built bundle). */
export function workerOptions(
  config: Pick<Config, 'TASK_QUEUE' | 'TEMPORAL_NAMESPACE' | 'ACCOUNT_HISTORY_LIMIT' | 'JOURNEY_WEBHOOK_SECRET' | 'JOURNEY_WEBHOOK_ALLOW_PRIVATE'>,
  connection: NativeConnection,
  client: Client,
  workflowCode: { workflowBundle: { codePath: string } } | { workflowsPath: string },
): WorkerOptions {
  return {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    ...workflowCode,
    activities: createActivities({
      delivery: { client, taskQueue: config.TASK_QUEUE, historyLimit: config.ACCOUNT_HISTORY_LIMIT },
      webhooks: { secret: config.JOURNEY_WEBHOOK_SECRET, allowPrivate: config.JOURNEY_WEBHOOK_ALLOW_PRIVATE },
    }),
    maxConcurrentActivityTaskExecutions: 20,
  };
}
