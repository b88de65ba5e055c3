import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import type { Counter } from 'prom-client';
import type { DeliveryTarget } from '../lib/deliver-events';
import type { Logger } from '../lib/logger';

/** What route modules receive: where to register and the dependencies they use. */
export interface RouteDeps {
  router: Router;
  registry: OpenAPIRegistry;
  delivery: DeliveryTarget;
  eventsCounter: Counter<'result'>;
  logger: Logger;
}
