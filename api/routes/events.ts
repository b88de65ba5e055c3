import { findUnstorableText } from '../../domain/storable-text';
import { ingestEvents, IncomingEvent } from '../../lib/ingest-events';
import type { RouteDeps } from '../context';
import { zodDetails } from '../errors';
import { defineRoute } from '../route';
import { Event, EventBatch, EventBatchEnvelope, IngestResponse } from '../schemas/events';

export function eventRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/events',
    tag: 'Ingestion',
    summary: 'Ingest a batch of 1-1000 interaction events; valid ones are accepted, invalid ones listed in rejected',
    roles: ['admin', 'ingest', 'marketer'],
    body: EventBatchEnvelope,
    documentedBody: EventBatch,
    responses: { 202: { description: 'stored; applied within seconds', schema: IngestResponse } },
    handler: async ({ body }) => {
      const valid: IncomingEvent[] = [];
      const validIndex: number[] = [];
      const rejected: { index: number; error: string; details: { path: string; message: string }[] }[] = [];
      body.events.forEach((raw, index) => {
        const unstorable = findUnstorableText(raw, `events.${index}`);
        if (unstorable) {
          rejected.push({ index, error: `${unstorable.path}: ${unstorable.message}`, details: [unstorable] });
          return;
        }
        const parsed = Event.safeParse(raw);
        if (parsed.success) {
          valid.push(parsed.data);
          validIndex.push(index);
        } else {
          const details = zodDetails(parsed.error, `events.${index}`);
          rejected.push({ index, error: details.map((d) => `${d.path}: ${d.message}`).join('; '), details });
        }
      });
      const result = valid.length ? await ingestEvents(deps.delivery, valid) : { accepted: 0, duplicates: 0, rejected: [] };
      for (const r of result.rejected) {
        const index = validIndex[r.index];
        rejected.push({ index, error: r.error, details: [{ path: `events.${index}.${r.field}`, message: r.error }] });
      }
      rejected.sort((a, b) => a.index - b.index);
      deps.eventsCounter.inc({ result: 'accepted' }, result.accepted);
      deps.eventsCounter.inc({ result: 'duplicate' }, result.duplicates);
      deps.eventsCounter.inc({ result: 'rejected' }, rejected.length);
      return { status: 202, body: { accepted: result.accepted, duplicates: result.duplicates, rejected } };
    },
  });
}
