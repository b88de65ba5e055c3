import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { authOf } from './auth';
import { ApiError } from './errors';

/**
 * At most `perMinute` requests per API key in each minute; beyond that a 429
 * with `Retry-After` (seconds until the window resets). Runs after
 * authentication, so it counts per key, not per address. Counted in process:
 * each API process keeps its own window.
 */
export function limitPerKey(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req, res) => authOf(res).keyId,
    // Counting is by key, never by client address: the address checks do not apply.
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false },
    handler: (_req, _res, next) => next(new ApiError(429, 'rate_limited', `more than ${perMinute} requests in a minute with this API key; retry after the seconds in Retry-After`)),
  });
}
