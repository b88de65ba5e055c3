import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type RequestHandler, Router } from 'express';
import type { Counter } from 'prom-client';
import type { DeliveryTarget } from '../../lib/deliver-events';
import type { Logger } from '../../lib/logger';
import type { KeyResolver } from '../auth';
import { rejectDeepBodies } from '../body-depth';
import { trackingRoutes } from '../routes/tracking';
import { trackingAuth } from './auth';
import { readTrackingBody } from './body';
import { trackingCors } from './cors';
import { limitInFlight } from './in-flight';

export interface TrackingRouterDeps {
  registry: OpenAPIRegistry;
  delivery: DeliveryTarget;
  eventsCounter: Counter<'result'>;
  logger: Logger;
  keys: KeyResolver;
  /** The per-key rate limit /v1 uses (one count for both). */
  limitPerKey: RequestHandler;
  corsOrigins: readonly string[];
  maxInFlight: number;
}

export const TRACKING_PATHS = ['/v1/batch', '/v1/b', '/v1/track', '/v1/t', '/v1/page', '/v1/p', '/v1/screen', '/v1/s', '/v1/group', '/v1/g', '/v1/alias', '/v1/a', '/v1/i', '/v1/identify'];

/**
 * The Segment-compatible tracking routes, before /v1's Bearer authentication:
 * CORS for the configured origins, the write key from Basic auth or the body,
 * bodies decoded whatever their labels, backpressure as 429. POST
 * /v1/identify is the Segment identify unless it comes with a Bearer key
 * (then it is the native identify, `{ person, traits, accountKey }`).
 */
export function trackingApiRouter(deps: TrackingRouterDeps): Router {
  const router = Router();
  const auth = trackingAuth(deps.keys);
  const cors = trackingCors(deps.corsOrigins);
  router.options(TRACKING_PATHS, cors);
  router.post('/v1/identify', (req, _res, next) => (/^Bearer\s/i.test(req.get('authorization') ?? '') ? next('router') : next()));
  router.post(TRACKING_PATHS, cors, auth.fromHeader, limitInFlight(deps.maxInFlight), readTrackingBody, auth.fromBody, deps.limitPerKey, rejectDeepBodies);
  router.post('/v1/identify', (req, _res, next) => {
    req.url = '/v1/i';
    next();
  });
  trackingRoutes({ router, registry: deps.registry, delivery: deps.delivery, eventsCounter: deps.eventsCounter, logger: deps.logger });
  return router;
}
