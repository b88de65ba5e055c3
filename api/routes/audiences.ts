import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { nonBlankText } from '../../domain/non-blank-text';
import { audienceView, audienceViews, deleteAudience, saveAudience, storedAudience } from '../../lib/audiences';
import { Segment } from '../../models/segment';
import { audienceSeedWorkflowId, type audienceSeedWorkflow } from '../../workflows/audience-seed';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { decodeCursor, Key, page, Pagination } from '../schemas/common';
import { z } from '../zod';
import { audit } from './accounts';
import { exportAudience } from './audience-export';

const AudienceKeyParams = z.object({ key: Key });

const AudienceInput = z
  .object({
    name: nonBlankText(200),
    segmentId: z.string().regex(/^seg_[A-Za-z0-9_-]{1,40}$/, 'must be a segment id (seg_…)'),
    destination: z
      .object({
        kind: z.literal('linkedin'),
        baseUrl: z.url({ protocol: /^https?$/ }).max(2000).openapi({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+' }).optional(),
        // Write-only: a value replaces the stored one, null removes it, absent keeps it.
        accessToken: z.string().min(1).max(4096).nullable().optional(),
        segmentUrn: z.string().regex(/^urn:li:dmpSegment:\d{1,20}$/, 'must be urn:li:dmpSegment:<id>'),
      })
      .strict(),
  })
  .strict()
  .openapi('AudienceInput');

const AudienceView = z
  .object({
    key: z.string(),
    name: z.string(),
    segmentId: z.string(),
    destination: z.object({ kind: z.literal('linkedin'), baseUrl: z.string().nullable(), segmentUrn: z.string(), hasAccessToken: z.boolean() }),
    size: z.number().int().openapi({ description: 'members the platform confirmed it holds' }),
    lastSyncAt: z.string().nullable(),
    pending: z.number().int().openapi({ description: 'changes recorded and not final yet' }),
    updatedAt: z.string(),
  })
  .openapi('Audience');

const LINKS = { audience: linkTo('get', '/v1/audiences/:key', { key: '$response.body#/key' }) };

/** An audience follows a person segment: its members are people, matched on the platform by their hashed email. */
async function checkSegment(segmentId: string): Promise<void> {
  const segment = await Segment.findOne({ _id: segmentId }, { level: 1, deletedAt: 1 }).lean();
  const problem = !segment || segment.deletedAt ? 'no such segment' : segment.level !== 'person' ? 'must be a person segment: an audience matches people by their email' : undefined;
  if (problem) throw ApiError.validation([{ path: 'segmentId', message: problem }]);
}

/**
 * The segment's current members are sent in the background; the members' own
 * workflows send what changes after. Started by every PUT, once per seed: a
 * PUT whose start failed is repeated safely and starts it then.
 */
async function startSeeding(deps: RouteDeps, key: string, segmentId: string, seed: string): Promise<void> {
  const input = { key, segmentId, seed };
  try {
    await deps.delivery.client.workflow.start<typeof audienceSeedWorkflow>('audienceSeedWorkflow', {
      workflowId: audienceSeedWorkflowId(deps.delivery.taskQueue, input),
      taskQueue: deps.delivery.taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `seed audience ${key} with the members of ${segmentId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Ad audiences (LinkedIn DMP segments) kept equal to one of our person segments; their tokens are never shown. */
export function audienceRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/audiences/:key',
    tag: 'Audiences',
    summary: "Create or replace an ad audience following a person segment; destination.accessToken is write-only (stored encrypted) and a PUT without it keeps the stored one; a new segment's members are sent in the background (audited)",
    roles: ['admin', 'marketer'],
    params: AudienceKeyParams,
    body: AudienceInput,
    checkedBeyondSchema: 'segmentId must name a saved person segment; a new audience needs destination.accessToken; baseUrl must parse as a URL (WHATWG) with a host',
    responses: {
      200: { description: 'replaced', schema: AudienceView, links: LINKS },
      201: { description: 'created', schema: AudienceView, links: LINKS },
    },
    handler: async ({ params, body, auth }) => {
      await checkSegment(body.segmentId);
      if (!body.destination.accessToken && !(await storedAudience(params.key))?.destination?.accessToken) {
        throw ApiError.validation([{ path: 'destination.accessToken', message: 'required: the audience has no stored token' }]);
      }
      const { created, seed, view } = await saveAudience(params.key, body);
      await audit(auth, 'write', `audience:${params.key}`);
      await startSeeding(deps, params.key, body.segmentId, seed);
      return { status: created ? 201 : 200, body: view };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/audiences/:key',
    tag: 'Audiences',
    summary: 'An ad audience: how many the platform holds, when it last took a change, how many changes are on their way; whether its token is set, never what it is',
    roles: ['admin', 'marketer', 'operator'],
    params: AudienceKeyParams,
    responses: { 200: { description: 'the audience', schema: AudienceView } },
    handler: async ({ params }) => {
      const view = await audienceView(params.key);
      if (!view) throw ApiError.notFound(`audience '${params.key}'`);
      return { status: 200, body: view };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/audiences',
    tag: 'Audiences',
    summary: 'Ad audiences by key',
    roles: ['admin', 'marketer', 'operator'],
    query: Pagination,
    responses: { 200: { description: 'audiences', schema: z.object({ items: z.array(AudienceView), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      return { status: 200, body: page(await audienceViews(offset, query.limit), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'delete',
    path: '/v1/audiences/:key',
    tag: 'Audiences',
    summary: 'Stop following: delete the audience and its stored token; the platform keeps its segment as it is (audited)',
    roles: ['admin', 'marketer'],
    params: AudienceKeyParams,
    responses: { 204: { description: 'deleted' } },
    handler: async ({ params, auth, res }) => {
      if (!(await deleteAudience(params.key))) throw ApiError.notFound(`audience '${params.key}'`);
      await audit(auth, 'delete', `audience:${params.key}`);
      res.status(204).end();
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/audiences/:key/export',
    tag: 'Audiences',
    summary: "The hashed emails (SHA-256 of the normalised email) the platform holds for an audience, as CSV, streamed (audited)",
    roles: ['admin', 'marketer'],
    params: AudienceKeyParams,
    query: z.object({ format: z.literal('csv').default('csv') }),
    responses: { 200: { description: 'one sha256_email a line, after the header' } },
    handler: async ({ params, auth, res }) => {
      const audience = await storedAudience(params.key);
      if (!audience) throw ApiError.notFound(`audience '${params.key}'`);
      await audit(auth, 'export', `audience:${params.key}`);
      await exportAudience(res, { key: audience._id, name: audience.name });
    },
  });
}
