import type { Client } from '@temporalio/client';
import express from 'express';
import mongoose from 'mongoose';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { DeliveryTarget } from '../lib/deliver-events';
import { loadConfig } from '../lib/config';
import type { Logger } from '../lib/logger';
import { rejectDeepBodies } from './body-depth';
import { authenticate, KeyResolver } from './auth';
import type { RouteDeps } from './context';
import { ApiError, errorHandler } from './errors';
import { answerUnservedMethods } from './method-not-allowed';
import { createMetrics } from './metrics';
import { limitPerKey } from './rate-limit';
import { createRegistry, openApiDocument } from './openapi';
import { accountRoutes } from './routes/accounts';
import { adminRoutes } from './routes/api-keys';
import { eventRoutes } from './routes/events';
import { eventTypeRoutes } from './routes/event-types';
import { identifyRoutes } from './routes/identify';
import { importRoutes } from './routes/imports';
import { peopleRoutes } from './routes/people';
import { scoringRoutes } from './routes/scoring';
import { segmentRoutes } from './routes/segments';
import { buyingGroupRoutes } from './routes/buying-groups';
import { journeyRoutes } from './routes/journeys';
import { journeyJobRoutes } from './routes/journey-jobs';
import { consentRoutes } from './routes/consent';
import { emailTemplateRoutes } from './routes/email-templates';
import { subscriptionTopicRoutes } from './routes/subscription-topics';
import { outboundMessageRoutes } from './routes/outbound-messages';
import { unsubscribeRouter } from './unsubscribe-page';
import { trackingRouter, withoutTrackingToken } from './tracking-links';
import { emailDeliveryRoutes } from './routes/email-delivery';
import { crmConnectionRoutes } from './routes/crm-connections';
import { audienceRoutes } from './routes/audiences';
import { crmInboundRouter } from './crm-inbound';
import { leadTransferRoutes } from './routes/lead-transfers';
import { nurtureStreamRoutes } from './routes/nurture-streams';
import { browserTagRouter } from './tracking-api/browser-tag';
import { corsOrigins } from './tracking-api/cors';
import { trackingApiRouter } from './tracking-api/router';

export interface AppDeps {
  temporal: Client;
  delivery: DeliveryTarget;
  logger: Logger;
  /** Requests per API key per minute; RATE_LIMIT_PER_MINUTE when not given. */
  rateLimitPerMinute?: number;
  /** Checks the unsubscribe and tracking links of sent email; EMAIL_TOKEN_SECRET when not given. */
  emailTokenSecret?: string;
  /** The shortest `every` of a lead transfer; LEAD_TRANSFER_MIN_EVERY_SECONDS when not given. */
  leadTransferMinEverySeconds?: number;
  /** The tracking API's browser origins (TRACKING_CORS_ORIGINS) and backpressure (TRACKING_MAX_IN_FLIGHT) when not the environment's. */
  tracking?: { corsOrigins?: string; maxInFlight?: number };
  /** Where segment previews' snapshot is saved between runs of this process; not saved when not given. */
  audienceCheckpointDir?: string;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const metrics = createMetrics();
  const registry = createRegistry();
  const keys = new KeyResolver();

  app.use(metrics.middleware);
  app.use(
    pinoHttp({
      logger: deps.logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      serializers: { req: (req: { url: string }) => Object.assign(req, { url: withoutTrackingToken(req.url) }) },
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([
      withTimeout(mongoose.connection.db!.admin().ping(), 2000),
      withTimeout(deps.temporal.workflowService.getSystemInfo({}), 2000),
    ]);
    const [mongo, temporal] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unavailable'));
    res.status(mongo === 'ok' && temporal === 'ok' ? 200 : 503).json({ mongo, temporal });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // The CRM's inbound door is authenticated by its signature, not by an API key: it answers before /v1 asks for one.
  app.use(crmInboundRouter({ registry, delivery: deps.delivery, logger: deps.logger, rateLimitPerMinute: deps.rateLimitPerMinute ?? loadConfig().RATE_LIMIT_PER_MINUTE }));
  // One count per key for /v1 and the tracking routes.
  const perKey = limitPerKey(deps.rateLimitPerMinute ?? loadConfig().RATE_LIMIT_PER_MINUTE);
  const origins = corsOrigins(deps.tracking?.corsOrigins ?? loadConfig().TRACKING_CORS_ORIGINS);
  // The Segment-compatible tracking routes and the website tag take the write key their own way (Basic auth, the body, a public path): before /v1's Bearer check.
  app.use(browserTagRouter({ keys, corsOrigins: origins, registry }));
  app.use(trackingApiRouter({ registry, delivery: deps.delivery, eventsCounter: metrics.eventsCounter, logger: deps.logger, keys, limitPerKey: perKey, corsOrigins: origins, maxInFlight: deps.tracking?.maxInFlight ?? loadConfig().TRACKING_MAX_IN_FLIGHT }));
  const v1 = express.Router();
  // Who is calling is known before any body is read: a stranger's large body costs nothing.
  v1.use(authenticate(keys));
  v1.use(perKey);
  v1.use(express.json({ limit: '5mb' }));
  v1.use(rejectDeepBodies);
  const routeDeps: RouteDeps = { router: v1, registry, delivery: deps.delivery, eventsCounter: metrics.eventsCounter, logger: deps.logger };
  eventRoutes(routeDeps);
  eventTypeRoutes(routeDeps);
  identifyRoutes(routeDeps);
  accountRoutes(routeDeps);
  peopleRoutes(routeDeps);
  scoringRoutes(routeDeps);
  segmentRoutes(routeDeps, { audienceCheckpointDir: deps.audienceCheckpointDir });
  buyingGroupRoutes(routeDeps, { audienceCheckpointDir: deps.audienceCheckpointDir });
  journeyRoutes(routeDeps);
  journeyJobRoutes(routeDeps);
  outboundMessageRoutes(routeDeps);
  emailDeliveryRoutes(routeDeps);
  adminRoutes(routeDeps);
  importRoutes(routeDeps);
  emailTemplateRoutes(routeDeps);
  subscriptionTopicRoutes(routeDeps);
  consentRoutes(routeDeps);
  crmConnectionRoutes(routeDeps);
  audienceRoutes(routeDeps);
  leadTransferRoutes(routeDeps, { minEverySeconds: deps.leadTransferMinEverySeconds ?? loadConfig().LEAD_TRANSFER_MIN_EVERY_SECONDS });
  nurtureStreamRoutes(routeDeps);
  answerUnservedMethods(v1, registry);

  const document = openApiDocument(registry);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));
  app.use(unsubscribeRouter(deps.emailTokenSecret ?? loadConfig().EMAIL_TOKEN_SECRET, deps.delivery));
  app.use(trackingRouter({ tokenSecret: deps.emailTokenSecret ?? loadConfig().EMAIL_TOKEN_SECRET, delivery: deps.delivery, logger: deps.logger, registry: metrics.registry }));
  app.use(v1);
  app.use((req, _res, next) => next(ApiError.notFound(`route ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}
