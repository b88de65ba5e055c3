import type { RequestHandler } from 'express';
import { ApiError } from '../errors';

/** Headers analytics.js sends (its Basic auth and retry count make a preflight) and gzip senders may. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, Content-Encoding, X-Retry-Count';

/**
 * CORS for the tracking routes only, from the origins configured
 * (TRACKING_CORS_ORIGINS; `*` for any): the preflight is answered, the
 * response is readable by the page. A browser call from another origin is
 * refused (403), so only your own websites send through a public write key.
 * Calls without an Origin (servers, SDKs) pass.
 */
export function trackingCors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (!origin) return next();
    res.vary('Origin');
    if (!any && !allowed.has(origin)) throw ApiError.forbidden(`origin ${origin} may not send tracking calls: add it to TRACKING_CORS_ORIGINS`);
    res.set('Access-Control-Allow-Origin', origin);
    if (req.method !== 'OPTIONS') return next();
    res.set({ 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS', 'Access-Control-Allow-Headers': ALLOWED_HEADERS, 'Access-Control-Max-Age': '86400' });
    res.status(204).end();
  };
}

/** TRACKING_CORS_ORIGINS as a list: comma-separated origins, no trailing slashes. */
export function corsOrigins(setting: string): string[] {
  return setting
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}
