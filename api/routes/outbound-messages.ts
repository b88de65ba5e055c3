import { CHANNELS, STATUSES } from '../../domain/delivery/message';
import { deliveryCounts } from '../../lib/delivery-stats';
import { laneOf } from '../../domain/delivery/lanes';
import { redrive } from '../../lib/deliveries';
import { OutboundMessage } from '../../models/outbound-message';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { decodeCursor, Key, page, Pagination } from '../schemas/common';
import { z } from '../zod';

const MessageParams = z.object({ id: z.string().min(1).max(400) });
const Attempt = z.object({ at: z.string(), ok: z.boolean(), error: z.string().optional() });
const MessageView = z
  .object({
    id: z.string(),
    channel: z.enum(CHANNELS),
    type: z.string(),
    personId: z.string().nullable(),
    accountKey: z.string().nullable(),
    status: z.enum(STATUSES),
    reason: z.string().optional(),
    attempts: z.array(Attempt),
    scheduledFor: z.string().optional(),
    sentAt: z.string().optional(),
    providerId: z.string().optional(),
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .meta({ id: 'OutboundMessage' });

/** A lean document of the outbound message schema, as the API shows it. */
function view(d: Record<string, any>): z.infer<typeof MessageView> {
  return {
    id: d._id,
    channel: d.channel,
    type: d.type,
    personId: d.personId ?? null,
    accountKey: d.accountKey ?? null,
    status: d.status,
    ...(d.reason ? { reason: d.reason } : {}),
    attempts: (d.attempts ?? []).map((a: { at: Date; ok: boolean; error?: string }) => ({ at: a.at.toISOString(), ok: a.ok, ...(a.error ? { error: a.error } : {}) })),
    ...(d.scheduledFor ? { scheduledFor: d.scheduledFor.toISOString() } : {}),
    ...(d.sentAt ? { sentAt: d.sentAt.toISOString() } : {}),
    ...(d.providerId ? { providerId: d.providerId } : {}),
    payload: d.payload ?? {},
    createdAt: d.createdAt.toISOString(),
  };
}
/** What the engine decided to send, how each delivery went, and the re-drive of a dead message. */
export function outboundMessageRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/outbound-messages',
    tag: 'Delivery',
    summary: 'Messages recorded for delivery (email, sales alerts, CRM records, audience changes), each once, with their status and attempts',
    roles: ['admin', 'marketer', 'operator'],
    query: Pagination.extend({ channel: z.enum(CHANNELS).optional(), status: z.enum(STATUSES).optional(), personId: z.string().max(100).optional(), accountKey: Key.optional() }),
    responses: {
      200: {
        description: 'messages, oldest first',
        schema: z.object({ items: z.array(MessageView), nextCursor: z.string().nullable() }),
        links: { first: linkTo('get', '/v1/outbound-messages/:id', { id: '$response.body#/items/0/id' }), retryFirst: linkTo('post', '/v1/outbound-messages/:id/retry', { id: '$response.body#/items/0/id' }) },
      },
    },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      // One top-level equality goes to the database (cheap on the embedded one); the rest filter here.
      const filter: Record<string, string> = {};
      if (query.personId) filter.personId = query.personId;
      else if (query.accountKey) filter.accountKey = query.accountKey;
      else if (query.status) filter.status = query.status;
      else if (query.channel) filter.channel = query.channel;
      const docs = (await OutboundMessage.find(filter).sort({ createdAt: 1, _id: 1 }).lean()).filter(
        (d) => (!query.channel || d.channel === query.channel) && (!query.status || d.status === query.status) && (!query.accountKey || d.accountKey === query.accountKey),
      );
      return { status: 200, body: page(docs.slice(offset, offset + query.limit + 1).map(view), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/outbound-messages/:id',
    tag: 'Delivery',
    summary: 'One message: its status, reason, attempts with their errors, when it is scheduled or was sent',
    roles: ['admin', 'marketer', 'operator'],
    params: MessageParams,
    responses: { 200: { description: 'the message', schema: MessageView } },
    handler: async ({ params }) => {
      const d = await OutboundMessage.findOne({ _id: params.id }).lean();
      if (!d) throw ApiError.notFound(`outbound message '${params.id}'`);
      return { status: 200, body: view(d) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/outbound-messages/:id/retry',
    tag: 'Delivery',
    summary: 'Send a dead message again, under the same id (its idempotency key)',
    roles: ['admin', 'marketer'],
    params: MessageParams,
    responses: {
      202: { description: 'queued for delivery again', schema: z.object({ id: z.string(), status: z.literal('pending') }) },
      409: { description: 'conflict: the message is not dead, or its channel has no delivery' },
    },
    handler: async ({ params }) => {
      const d = await OutboundMessage.findOne({ _id: params.id }, { status: 1, channel: 1, payload: 1 }).lean();
      if (!d) throw ApiError.notFound(`outbound message '${params.id}'`);
      if (d.status !== 'dead') throw ApiError.conflict(`only a dead message can be sent again; this one is ${d.status}`);
      const lane = laneOf(d);
      if (!lane) throw ApiError.conflict(`the ${d.channel} channel has no delivery yet`);
      if (!(await redrive(deps.delivery, params.id, lane))) throw ApiError.conflict('the message is no longer dead');
      return { status: 202, body: { id: params.id, status: 'pending' as const } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/deliveries/stats',
    tag: 'Delivery',
    summary: 'Messages per channel and status (the same counts as the outbound_messages gauge in /metrics)',
    roles: ['admin', 'marketer', 'operator'],
    responses: { 200: { description: 'counts', schema: z.object({ channels: z.record(z.string(), z.record(z.string(), z.number())) }) } },
    handler: async () => {
      const channels: Record<string, Record<string, number>> = {};
      for (const r of await deliveryCounts()) (channels[r.channel] ??= {})[r.status] = r.count;
      return { status: 200, body: { channels } };
    },
  });
}
