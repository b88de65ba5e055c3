import type { Client } from '@temporalio/client';
import express from 'express';
import mongoose from 'mongoose';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { DeliveryTarget } from '../lib/deliver-events';
import type { Logger } from '../lib/logger';
import { rejectDeepBodies } from './body-depth';
import { authenticate, KeyResolver } from './auth';
import type { RouteDeps } from './context';
import { ApiError, errorHandler } from './errors';
import { createMetrics } from './metrics';
import { createRegistry, openApiDocument } from './openapi';
import { accountRoutes } from './routes/accounts';
import { adminRoutes } from './routes/api-keys';
import { eventRoutes } from './routes/events';
import { identifyRoutes } from './routes/identify';
import { importRoutes } from './routes/imports';
import { peopleRoutes } from './routes/people';
import { scoringRoutes } from './routes/scoring';
import { segmentRoutes } from './routes/segments';
import { buyingGroupRoutes } from './routes/buying-groups';
import { journeyRoutes } from './routes/journeys';

export interface AppDeps {
  temporal: Client;
  delivery: DeliveryTarget;
  logger: Logger;
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
  app.use(pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' } }));
  app.use(express.json({ limit: '5mb' }));
  app.use(rejectDeepBodies);

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

  const v1 = express.Router();
  v1.use(authenticate(keys));
  const routeDeps: RouteDeps = { router: v1, registry, delivery: deps.delivery, eventsCounter: metrics.eventsCounter, logger: deps.logger };
  eventRoutes(routeDeps);
  identifyRoutes(routeDeps);
  accountRoutes(routeDeps);
  peopleRoutes(routeDeps);
  scoringRoutes(routeDeps);
  segmentRoutes(routeDeps);
  buyingGroupRoutes(routeDeps);
  journeyRoutes(routeDeps);
  adminRoutes(routeDeps);
  importRoutes(routeDeps);

  const document = openApiDocument(registry);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));
  app.use(v1);
  app.use((req, _res, next) => next(ApiError.notFound(`route ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}
