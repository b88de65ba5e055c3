import type { RequestHandler } from 'express';
import { ApiError } from '../errors';

/**
 * A request running this long means the engine is behind: new ones are
 * turned away rather than queued past the SDKs' own request timeout
 * (analytics-node: 10 s), after which they would send the batch again and
 * spend one of their few retries, where a 429 with Retry-After spends none.
 */
export const SATURATED_AFTER_MS = 5000;
const MAX_RETRY_AFTER_S = 30;

/**
 * Backpressure: at most `max` tracking requests at once in this process, and
 * none taken while one has been running SATURATED_AFTER_MS; beyond that a
 * 429 whose Retry-After is how long requests take lately (a sender that
 * comes back sooner would only be turned away again: analytics-node gives
 * a batch up after about 25 refusals). Both SDKs wait for it and send the
 * same batch again (never a 5xx, never a 501).
 */
export function limitInFlight(max: number): RequestHandler {
  const running = new Set<{ since: number }>();
  let typicalMs = 1000;
  const saturated = (now: number) => [...running].some((r) => now - r.since > SATURATED_AFTER_MS);
  return (_req, res, next) => {
    const now = Date.now();
    if (running.size >= max || saturated(now)) {
      res.set('Retry-After', String(Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(typicalMs / 1000)))));
      throw new ApiError(429, 'rate_limited', `the tracking routes are busy (${running.size} requests running, at most ${max}); retry after the seconds in Retry-After`);
    }
    const entry = { since: now };
    running.add(entry);
    const release = () => {
      if (!running.delete(entry)) return;
      // A moving average of how long a request takes: what a refused sender should wait.
      typicalMs = 0.8 * typicalMs + 0.2 * (Date.now() - entry.since);
    };
    res.on('finish', release);
    res.on('close', release);
    next();
  };
}
