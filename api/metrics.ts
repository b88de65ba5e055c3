import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { deliveryCounts } from '../lib/delivery-stats';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const eventsCounter = new Counter({
    name: 'events_ingested_total',
    help: 'Events received by result: accepted, duplicate, rejected',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  // Read from the database at scrape time: the counts of GET /v1/deliveries/stats, whichever process sent.
  new Gauge({
    name: 'outbound_messages',
    help: 'Outbound messages by channel and status',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      const counts = await deliveryCounts().catch(() => undefined); // a database outage must not take /metrics down
      if (!counts) return;
      this.reset();
      for (const r of counts) this.set({ channel: r.channel, status: r.status }, r.count);
    },
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      // The matched route pattern keeps label cardinality bounded.
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, eventsCounter, middleware };
}
