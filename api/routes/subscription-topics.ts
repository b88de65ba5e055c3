import { SubscriptionTopic } from '../../models/subscription-topic';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { SubscriptionTopicInput, SubscriptionTopicView, TopicKeyParams } from '../schemas/email';
import { z } from '../zod';

const viewOf = (t: { _id: string; name: string; requireOptIn: boolean }) => ({ key: t._id, name: t.name, requireOptIn: t.requireOptIn });

export function subscriptionTopicRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/subscription-topics/:key',
    tag: 'Email',
    summary: 'Create or update a subscription topic; a topic that requires opt-in goes only to people who said yes to it',
    roles: ['admin', 'marketer'],
    params: TopicKeyParams,
    body: SubscriptionTopicInput,
    responses: {
      200: { description: 'updated', schema: z.object({ key: z.string() }) },
      201: { description: 'created', schema: z.object({ key: z.string() }) },
    },
    handler: async ({ params, body }) => {
      const result = await SubscriptionTopic.updateOne({ _id: params.key }, { $set: { name: body.name, requireOptIn: body.requireOptIn ?? false } }, { upsert: true, runValidators: true });
      return { status: result.upsertedCount ? 201 : 200, body: { key: params.key } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/subscription-topics/:key',
    tag: 'Email',
    summary: 'A subscription topic',
    roles: ['admin', 'marketer', 'operator'],
    params: TopicKeyParams,
    responses: { 200: { description: 'the topic', schema: SubscriptionTopicView } },
    handler: async ({ params }) => {
      const topic = await SubscriptionTopic.findOne({ _id: params.key }).lean();
      if (!topic) throw ApiError.notFound(`subscription topic '${params.key}'`);
      return { status: 200, body: viewOf(topic) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/subscription-topics',
    tag: 'Email',
    summary: 'Subscription topics by key',
    roles: ['admin', 'marketer', 'operator'],
    query: Pagination,
    responses: { 200: { description: 'topics', schema: z.object({ items: z.array(SubscriptionTopicView), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      const docs = await SubscriptionTopic.find({}).sort({ _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      return { status: 200, body: page(docs.map(viewOf), offset, query.limit) };
    },
  });
}
