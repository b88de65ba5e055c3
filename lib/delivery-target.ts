import type { Client } from '@temporalio/client';
import type { Config } from './config';
import { type DeliveryTarget, deliverEvents } from './deliver-events';
import { EventSignals } from './event-signals';
import { DEFAULT_DISPATCH } from './deliveries';

export type DeliveryConfig = Pick<Config, 'TASK_QUEUE' | 'ACCOUNT_HISTORY_LIMIT' | 'EMAIL_MAX_ATTEMPTS' | 'EMAIL_RETRY_INITIAL_SECONDS' | 'EMAIL_BATCH_SIZE'>;

/** Where the API and the activities start workflows, and with what limits: one definition for every process. */
export function deliveryTargetFor(config: DeliveryConfig, client: Client): DeliveryTarget {
  const target: DeliveryTarget = {
    signals: new EventSignals((entity, events) => deliverEvents(target, entity, events)),
    client,
    taskQueue: config.TASK_QUEUE,
    historyLimit: config.ACCOUNT_HISTORY_LIMIT,
    dispatch: {
      retry: { maximumAttempts: config.EMAIL_MAX_ATTEMPTS, initialIntervalSeconds: config.EMAIL_RETRY_INITIAL_SECONDS },
      batchSize: config.EMAIL_BATCH_SIZE,
      concurrency: DEFAULT_DISPATCH.concurrency,
    },
  };
  return target;
}
