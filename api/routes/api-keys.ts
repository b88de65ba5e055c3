import { ROLES } from '../../domain/roles';
import { ApiKey } from '../../models/api-key';
import { AuditEntry } from '../../models/audit-entry';
import { createApiKey } from '../auth';
import type { RouteDeps } from '../context';
import { defineRoute } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { nonBlankText } from '../../domain/non-blank-text';
import { z } from '../zod';

const KeyInput = z
  .object({ role: z.enum(ROLES), name: nonBlankText(200), ownerId: z.string().max(200).optional() })
  .strict()
  .refine((k) => k.role !== 'sales' || k.ownerId, { message: 'sales keys need an ownerId (the accounts they own)', path: ['ownerId'] })
  .openapi('ApiKeyInput', { anyOf: [{ properties: { role: { not: { const: 'sales' } } } }, { required: ['ownerId'], properties: { ownerId: { minLength: 1 } } }] });

export function adminRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/api-keys',
    tag: 'Admin',
    summary: 'Create an API key; the key is shown once and stored hashed',
    roles: ['admin'],
    body: KeyInput,
    responses: { 201: { description: 'created', schema: z.object({ id: z.string(), key: z.string() }) } },
    handler: async ({ body }) => ({ status: 201, body: await createApiKey(body) }),
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/api-keys',
    tag: 'Admin',
    summary: 'List API keys (never the keys themselves)',
    roles: ['admin'],
    query: Pagination,
    responses: { 200: { description: 'keys', schema: z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      const docs = await ApiKey.find({}, { hash: 0 }).sort({ _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      return { status: 200, body: page(docs.map(({ _id, ...rest }) => ({ id: _id, ...rest })), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/audit-log',
    tag: 'Admin',
    summary: 'Who read which profile when, newest first',
    roles: ['admin'],
    query: Pagination,
    responses: { 200: { description: 'entries', schema: z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      const docs = await AuditEntry.find({}).sort({ at: -1 }).skip(offset).limit(query.limit + 1).lean();
      const items = docs.map((d) => ({ at: d.at.toISOString(), keyId: d.keyId, role: d.role, action: d.action, resource: d.resource }));
      return { status: 200, body: page(items, offset, query.limit) };
    },
  });
}
