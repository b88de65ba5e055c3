import type { RequestHandler } from 'express';
import { ApiError } from './errors';

/** Deeper than any valid body (a segment definition nests at most 6 levels, each a few objects deep). */
export const MAX_BODY_DEPTH = 40;

/** Measured without recursion: a hostile body nested 100,000 deep must not overflow the stack. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Refuses bodies nested deeper than MAX_BODY_DEPTH before any schema walks them recursively. */
export const rejectDeepBodies: RequestHandler = (req, _res, next) => {
  if (deeperThan(req.body, MAX_BODY_DEPTH)) next(ApiError.validation([{ path: '', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }]));
  else next();
};
