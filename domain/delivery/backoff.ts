import type { DeliveryRetry } from './queues';

const MAX_INTERVAL_MS = 30 * 60_000;

/**
 * After a message's nth transient failure: when it is tried again (the first
 * retry after the initial interval, doubling, at most 30 minutes apart), or
 * undefined when its attempts are spent and it is dead.
 */
export function nextRetryAt(failures: number, retry: DeliveryRetry, now: number): number | undefined {
  if (failures >= retry.maximumAttempts) return undefined;
  return now + Math.min(MAX_INTERVAL_MS, retry.initialIntervalSeconds * 1000 * 2 ** (failures - 1));
}
