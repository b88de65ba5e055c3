import type { Transport } from './lanes';

/**
 * Each channel's deliveries run on a task queue of their own, so a destination's
 * rate limit is the Temporal task queue's (maxTaskQueueActivitiesPerSecond), not
 * a bucket of ours, and a slow channel never holds up journeys or scoring.
 */
export const channelQueue = (taskQueue: string, transport: Transport) => `${taskQueue}-${transport}`;

/**
 * The lanes' dispatcher workflows run on a task queue of their own: however
 * many nurture streams and journeys wait for the main queue's workers (10,000
 * casting people queued thousands of tasks there and no email went out),
 * delivery gets its turn.
 */
export const dispatcherQueue = (taskQueue: string) => `${taskQueue}-dispatch`;

/** How a delivery retries a transient failure before the message is dead (config: EMAIL_MAX_ATTEMPTS, EMAIL_RETRY_INITIAL_SECONDS). */
export interface DeliveryRetry {
  maximumAttempts: number;
  initialIntervalSeconds: number;
}

/** How a lane's dispatcher works its queue: batches of `batchSize` messages, at most `concurrency` batches at a time. */
export interface DispatchSettings {
  retry: DeliveryRetry;
  batchSize: number;
  concurrency: number;
}

/** A transport's limit in messages a second, as its task queue's limit in batch activities a second. */
export const batchesPerSecond = (messagesPerSecond: number, batchSize: number) => messagesPerSecond / batchSize;

/** What one batch of a lane came to: how many messages it settled, when the earliest it put off is due, and how long the lane should rest before its next batch (a destination's request rate). */
export interface BatchResult {
  settled: number;
  nextDueAt?: number;
  pauseMs?: number;
}
