import type { RequestHandler } from 'express';
import { ApiError } from '../errors';

/**
 * A request running this long means the engine is behind: new ones are
 * turned away rather than queued past the SDKs' own request timeout
 * (analytics-node: 10 s), after which they would send the batch again and
 * spend one of their few retries, where a 429 spends none.
 */
export const SATURATED_AFTER_MS = 5000;

/**
 * Backpressure: at most `max` tracking requests at once in this process, and
 * none taken while one has been running SATURATED_AFTER_MS; beyond that a
 * 429 with Retry-After, which both SDKs honour by sending the same batch
 * again later (never a 5xx, never a 501).
 */
export function limitInFlight(max: number, retryAfterSeconds = 1): RequestHandler {
  const running = new Set<{ since: number }>();
  const saturated = (now: number) => [...running].some((r) => now - r.since > SATURATED_AFTER_MS);
  return (_req, res, next) => {
    const now = Date.now();
    if (running.size >= max || saturated(now)) {
      res.set('Retry-After', String(retryAfterSeconds));
      throw new ApiError(429, 'rate_limited', `the tracking routes are busy (${running.size} requests running, at most ${max}); retry after the seconds in Retry-After`);
    }
    const entry = { since: now };
    running.add(entry);
    const release = () => running.delete(entry);
    res.on('finish', release);
    res.on('close', release);
    next();
  };
}
