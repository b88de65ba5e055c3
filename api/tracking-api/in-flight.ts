import type { RequestHandler } from 'express';
import { ApiError } from '../errors';

/**
 * The longest a request waits for its turn. analytics-node gives up on a
 * request after 10 s and sends it again, spending one of its 3 retries; a
 * 429 with Retry-After spends none. So a request that would wait longer is
 * refused at once, and one still waiting after this long is refused then.
 */
export const MAX_WAIT_MS = 4000;
const MAX_RETRY_AFTER_S = 30;

/**
 * Backpressure: at most `max` tracking requests run at once in this process;
 * the next ones wait their turn in order (the SDKs send several batches at
 * once, and a refusal makes analytics-node pause every batch it has), as long
 * as their expected wait stays under MAX_WAIT_MS. Beyond that a 429 whose
 * Retry-After is the expected wait; both SDKs wait for it and send the same
 * batch again (never a 5xx, never a 501).
 */
export function limitInFlight(max: number): RequestHandler {
  let running = 0;
  const waiting: (() => void)[] = [];
  /** How long a request takes lately (a moving average). */
  let typicalMs = 500;
  const expectedWaitMs = () => ((waiting.length + 1) / max) * typicalMs;
  const refuse = (res: Parameters<RequestHandler>[1], waitMs: number) => {
    res.set('Retry-After', String(Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(waitMs / 1000)))));
    return new ApiError(429, 'rate_limited', `the tracking routes are busy (${running} requests running, at most ${max}, ${waiting.length} waiting); retry after the seconds in Retry-After`);
  };
  /** A finished request hands its place to the first in line. */
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  const turn = () =>
    new Promise<boolean>((resolve) => {
      const admit = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const at = waiting.indexOf(admit);
        if (at >= 0) waiting.splice(at, 1);
        resolve(false);
      }, MAX_WAIT_MS);
      waiting.push(admit);
    });

  return async (_req, res, next) => {
    if (running >= max) {
      if (expectedWaitMs() > MAX_WAIT_MS) throw refuse(res, expectedWaitMs());
      if (!(await turn())) throw refuse(res, expectedWaitMs());
    } else running += 1;
    const since = Date.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      typicalMs = 0.8 * typicalMs + 0.2 * (Date.now() - since);
      release();
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };
}
