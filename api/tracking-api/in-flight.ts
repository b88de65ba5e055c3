import type { RequestHandler } from 'express';
import { ApiError } from '../errors';

/**
 * Backpressure: at most `max` tracking requests at once in this process;
 * beyond that a 429 with Retry-After, which both SDKs honour by sending the
 * same batch again later (never a 5xx, never a 501).
 */
export function limitInFlight(max: number, retryAfterSeconds = 1): RequestHandler {
  let inFlight = 0;
  return (_req, res, next) => {
    if (inFlight >= max) {
      res.set('Retry-After', String(retryAfterSeconds));
      throw new ApiError(429, 'rate_limited', `more than ${max} tracking requests at once; retry after the seconds in Retry-After`);
    }
    inFlight += 1;
    let released = false;
    const release = () => {
      if (!released) inFlight -= 1;
      released = true;
    };
    res.on('finish', release);
    res.on('close', release);
    next();
  };
}
