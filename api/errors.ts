import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../lib/logger';

export type ErrorCode = 'validation_error' | 'not_found' | 'conflict' | 'unauthorized' | 'forbidden' | 'rate_limited' | 'unavailable' | 'payload_too_large' | 'method_not_allowed' | 'internal';

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }

  static validation(details: ErrorDetail[], message = 'request is invalid'): ApiError {
    return new ApiError(400, 'validation_error', `${message}: ${details.map((d) => `${d.path || '(body)'} ${d.message}`).join('; ')}`, details);
  }
  static notFound(what: string): ApiError {
    return new ApiError(404, 'not_found', `${what} not found`);
  }
  static forbidden(message: string, details?: ErrorDetail[]): ApiError {
    return new ApiError(403, 'forbidden', message, details);
  }
  static conflict(message: string): ApiError {
    return new ApiError(409, 'conflict', message);
  }
}

type Issue = ZodError['issues'][number];

const MISSING = /received undefined$/;
/** Issues that say "this is another shape" (a key that does not belong or is missing), not "a wrong value". */
const shapeMisses = (issues: readonly Issue[]) => issues.filter((i) => i.code === 'unrecognized_keys' || (i.code === 'invalid_type' && MISSING.test(i.message))).length;

/**
 * A value that fits no alternative of a union (a Condition, a segment
 * definition) is reported inside the one alternative it has the shape of, so
 * `{ field, op: "like" }` names `op`, not the whole condition.
 */
function flatten(issue: Issue, base: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union') {
    const sameShape = issue.errors.filter((branch) => shapeMisses(branch) === 0);
    if (sameShape.length === 1) return sameShape[0].flatMap((i) => flatten(i, path));
  }
  return [{ path, message: issue.message }];
}

/** Zod issues as `{ path: "events.3.type", message }`, prefixed with where the value came from. */
export function zodDetails(err: ZodError, prefix = ''): ErrorDetail[] {
  return err.issues.flatMap((i) => flatten(i, [])).map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

const UNAVAILABLE = /MongoServerSelectionError|MongoNetworkError|MongoNotConnectedError|ServiceError|TransportError|UNAVAILABLE|ECONNREFUSED/;

function isUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: unknown };
  return UNAVAILABLE.test(`${e?.name ?? ''} ${e?.message ?? ''} ${String(e?.code ?? '')}`);
}

/** Every error leaves in the one error format of docs/api.md; never a stack trace. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof ZodError) apiError = ApiError.validation(zodDetails(err));
    else if (err?.type === 'entity.parse.failed') apiError = ApiError.validation([{ path: '', message: 'body is not valid JSON' }]);
    else if (err?.type === 'entity.too.large') apiError = new ApiError(413, 'payload_too_large', 'request body is too large');
    // What the body parsers and the router refuse themselves (a charset, an undecodable %-escape): the client's fault, never a 500.
    else if ((err?.expose || err instanceof URIError) && err.status >= 400 && err.status < 500) apiError = ApiError.validation([{ path: err instanceof URIError ? 'path' : 'body', message: err.message }]);
    else if (isUnavailable(err)) {
      log.warn({ err, path: req.path }, 'dependency unavailable');
      apiError = new ApiError(503, 'unavailable', 'a service this request needs is unavailable; retry later');
    } else {
      log.error({ err, path: req.path }, 'unhandled error');
      apiError = new ApiError(500, 'internal', 'internal error');
    }
    res.status(apiError.status).json({
      error: { code: apiError.code, message: apiError.message, ...(apiError.details ? { details: apiError.details } : {}) },
    });
  };
}
