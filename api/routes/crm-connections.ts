import { COMPANY_FIELDS, PERSON_FIELDS } from '../../domain/crm/mapping';
import { CRM_KINDS, connectionView, connectionViews, deleteConnection, saveConnection } from '../../lib/crm-connections';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { audit } from './accounts';
import { defineRoute, linkTo } from '../route';
import { decodeCursor, Key, page, Pagination } from '../schemas/common';
import { z } from '../zod';

export const CrmConnectionKeyParams = z.object({ key: Key });

const property = z.string().max(200).regex(/^[\w.-]*$/, "must be the CRM's property name (letters, digits, _ . -), or '' to leave the field out");
/** Our fields the adapters send → the CRM's property; '' leaves a field out, except the key the CRM upserts by. */
const fieldMap = (fields: readonly string[], upsertKey: string) =>
  z.object(Object.fromEntries(fields.map((f) => [f, (f === upsertKey ? property.min(1, 'the upsert key cannot be left out') : property).optional()]))).strict();
const CrmMapping = z
  .object({
    person: fieldMap(PERSON_FIELDS, 'email').optional(),
    company: fieldMap(COMPANY_FIELDS, 'domain').optional(),
    // Salesforce upserts by external id fields.
    externalId: z.object({ person: z.string().regex(/^\w{1,100}$/).optional(), company: z.string().regex(/^\w{1,100}$/).optional() }).strict().optional(),
  })
  .strict()
  .openapi('CrmMapping');

/** Credentials: write-only, a value replaces the stored one, null removes it, absent keeps it. */
const credential = (min: number) => z.string().min(min).max(4096).nullable().optional();

const CrmConnectionInput = z
  .object({
    kind: z.enum(CRM_KINDS),
    baseUrl: z.url({ protocol: /^https?$/ }).max(2000).openapi({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+' }).optional(),
    accessToken: credential(1),
    // It signs the inbound door: short secrets are guessable.
    secret: credential(16),
    mapping: CrmMapping.optional(),
    rateLimitPerSecond: z.number().positive().max(10_000).optional(),
    sync: z.object({ qualifiedLeads: z.boolean().optional(), buyingGroups: z.boolean().optional() }).strict().optional(),
  })
  .strict()
  .refine((c) => c.kind === 'hubspot' || c.baseUrl, { message: 'salesforce (the instance URL) and webhook connections need a baseUrl', path: ['baseUrl'] })
  .openapi('CrmConnectionInput', { anyOf: [{ properties: { kind: { const: 'hubspot' } } }, { required: ['baseUrl'] }] });

const CrmConnectionView = z
  .object({
    key: z.string(),
    kind: z.enum(CRM_KINDS),
    baseUrl: z.string().nullable(),
    mapping: CrmMapping,
    rateLimitPerSecond: z.number(),
    sync: z.object({ qualifiedLeads: z.boolean(), buyingGroups: z.boolean() }),
    hasAccessToken: z.boolean(),
    hasSecret: z.boolean(),
    updatedAt: z.string(),
  })
  .openapi('CrmConnection');

const LINKS = { connection: linkTo('get', '/v1/crm-connections/:key', { key: '$response.body#/key' }) };

/** The CRMs the engine syncs to, and whose statuses it takes back; their credentials are never shown. */
export function crmConnectionRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/crm-connections/:key',
    tag: 'CRM',
    summary: 'Create or replace a CRM connection; accessToken and secret are write-only (stored encrypted), and a PUT without them keeps the stored ones (audited)',
    roles: ['admin'],
    params: CrmConnectionKeyParams,
    body: CrmConnectionInput,
    checkedBeyondSchema: 'baseUrl must parse as a URL (WHATWG) with a host',
    responses: {
      200: { description: 'replaced', schema: CrmConnectionView, links: LINKS },
      201: { description: 'created', schema: CrmConnectionView, links: LINKS },
    },
    handler: async ({ params, body, auth }) => {
      const { created, view } = await saveConnection(params.key, body);
      await audit(auth, 'write', `crm-connection:${params.key}`);
      return { status: created ? 201 : 200, body: view };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/crm-connections/:key',
    tag: 'CRM',
    summary: 'A CRM connection: whether its credentials are set, never what they are',
    roles: ['admin', 'marketer', 'operator'],
    params: CrmConnectionKeyParams,
    responses: { 200: { description: 'the connection', schema: CrmConnectionView } },
    handler: async ({ params }) => {
      const view = await connectionView(params.key);
      if (!view) throw ApiError.notFound(`crm connection '${params.key}'`);
      return { status: 200, body: view };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/crm-connections',
    tag: 'CRM',
    summary: 'CRM connections by key',
    roles: ['admin', 'marketer', 'operator'],
    query: Pagination,
    responses: { 200: { description: 'connections', schema: z.object({ items: z.array(CrmConnectionView), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      return { status: 200, body: page(await connectionViews(offset, query.limit), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'delete',
    path: '/v1/crm-connections/:key',
    tag: 'CRM',
    summary: 'Delete a CRM connection and its stored credentials (audited)',
    roles: ['admin'],
    params: CrmConnectionKeyParams,
    responses: { 204: { description: 'deleted' } },
    handler: async ({ params, auth, res }) => {
      if (!(await deleteConnection(params.key))) throw ApiError.notFound(`crm connection '${params.key}'`);
      await audit(auth, 'delete', `crm-connection:${params.key}`);
      res.status(204).end();
    },
  });
}
