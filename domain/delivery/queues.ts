/**
 * Each channel's deliveries run on a task queue of their own, so a destination's
 * rate limit is the Temporal task queue's (maxTaskQueueActivitiesPerSecond), not
 * a bucket of ours, and a slow channel never holds up journeys or scoring.
 */
export const channelQueue = (taskQueue: string, channel: 'email') => `${taskQueue}-${channel}`;

/** How a delivery retries a transient failure before the message is dead (config: EMAIL_MAX_ATTEMPTS, EMAIL_RETRY_INITIAL_SECONDS). */
export interface DeliveryRetry {
  maximumAttempts: number;
  initialIntervalSeconds: number;
}
