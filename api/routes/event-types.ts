import { EVENT_TYPES, isBuiltInEventType } from '../../domain/events';
import { eventNameSchema } from '../../domain/event-name';
import { listEventTypes, putEventType } from '../../lib/event-types';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { z } from '../zod';

const EventTypeView = z
  .object({
    name: z.string(),
    builtIn: z.boolean(),
    description: z.string().nullable(),
    means: z.string().nullable(),
    count: z.number().int(),
    firstSeenAt: z.string().nullable(),
    lastSeenAt: z.string().nullable(),
    registeredAt: z.string().nullable(),
  })
  .openapi('EventType');

const NameParams = z.object({ name: eventNameSchema });

const EventTypeInput = z
  .object({
    description: z.string().trim().max(500).optional(),
    means: z.enum(EVENT_TYPES).optional().openapi({ description: 'the built-in type this name counts as for scoring rules, segments and journeys ("Demo Requested" → meeting_booked)' }),
  })
  .strict()
  .openapi('EventTypeInput');

export function eventTypeRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/event-types',
    tag: 'Ingestion',
    summary: 'Every event type: the built-in ones and each custom name (registered on first sight through the tracking API, or ahead), with counts and first and last seen',
    roles: ['admin', 'marketer', 'operator'],
    query: Pagination,
    responses: { 200: { description: 'event types, built-in first', schema: z.object({ items: z.array(EventTypeView), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      const all = await listEventTypes();
      return { status: 200, body: page(all.slice(offset, offset + query.limit + 1), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/event-types/:name',
    tag: 'Ingestion',
    summary: 'Register a custom event name ahead of its events, with a description and, optionally, the built-in type it counts as',
    roles: ['admin', 'marketer'],
    params: NameParams,
    body: EventTypeInput,
    checkedBeyondSchema: 'the name is not a built-in type',
    responses: {
      200: { description: 'updated (events received from now on count as the new meaning)', schema: EventTypeView },
      201: { description: 'registered', schema: EventTypeView },
    },
    handler: async ({ params, body }) => {
      if (isBuiltInEventType(params.name)) throw ApiError.validation([{ path: 'name', message: `'${params.name}' is a built-in type; register a custom name instead` }]);
      const created = await putEventType(params.name, body);
      const view = (await listEventTypes()).find((t) => t.name === params.name)!;
      return { status: created ? 201 : 200, body: view };
    },
  });
}
