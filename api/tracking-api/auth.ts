import type { RequestHandler } from 'express';
import { AuthContext, KeyResolver } from '../auth';
import { ApiError } from '../errors';

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);
const HOW = 'send the write key (an ingest API key) as the user of HTTP Basic auth with an empty password, as writeKey in the body, or as Authorization: Bearer';

/** The key an Authorization header carries: Basic with the write key as user (both SDKs), or Bearer. */
function keyOfHeader(header: string): string {
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    if (user) return user;
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  throw unauthorized(`malformed Authorization header: ${HOW}`);
}

async function resolve(keys: KeyResolver, key: string): Promise<AuthContext> {
  const ctx = await keys.resolve(key);
  if (!ctx) throw unauthorized('unknown or revoked write key');
  return ctx;
}

/**
 * Who is calling, from the header before the body is read (a stranger's
 * large body costs nothing), or else from `writeKey` in the body once it is.
 */
export function trackingAuth(keys: KeyResolver): { fromHeader: RequestHandler; fromBody: RequestHandler } {
  return {
    fromHeader: async (req, res, next) => {
      const header = req.get('authorization');
      if (header) res.locals.auth = await resolve(keys, keyOfHeader(header));
      next();
    },
    fromBody: async (req, res, next) => {
      if (res.locals.auth) return next();
      const writeKey = (req.body as { writeKey?: unknown } | undefined)?.writeKey;
      if (typeof writeKey !== 'string' || !writeKey) throw unauthorized(`no write key: ${HOW}`);
      res.locals.auth = await resolve(keys, writeKey);
      next();
    },
  };
}
