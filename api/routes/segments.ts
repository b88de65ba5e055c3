import { segmentEventTypes } from '../../domain/event-types-named';
import { unknownEventTypes } from '../../lib/event-types';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { accountDefinitionSchema, checkDefinition, personDefinitionSchema } from '../../domain/segments/definition';
import { MAX_SEGMENT_DEPTH } from '../../domain/segments/limits';
import { previewAudience } from '../../lib/audience-preview';
import { op } from '../../lib/query';
import { saveListingMembers } from '../../lib/segment-listing';
import { deleteSegment } from '../../lib/segment-store';
import { progressOf } from '../../lib/workflow-progress';
import { Segment } from '../../models/segment';
import { SegmentChange, SegmentMember } from '../../models/segment-membership';
import { segmentRefreshProgressQuery, SegmentRefreshProgress, segmentRefreshWorkflowId } from '../../workflows/segments';
import type { segmentRefreshWorkflow } from '../../workflows/segments';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { nonBlankText } from '../../domain/non-blank-text';
import { z } from '../zod';
import { audit } from './accounts';
import { snapshotFor, type SnapshotOptions } from './audience-snapshot';
import { exportMembers } from './segment-export';
import { TABLE_FORMATS } from './table-download';

const SEGMENT_RULES = `definitions at most ${MAX_SEGMENT_DEPTH} levels deep; condition fields known to their scope (person segments: person.<name>, account.<name>, in performed.where also event.<name>; account segments: account.<name>; attributes.* and properties.* free); ranked values (fundingRound, seniority) among the known ones; performed names a built-in or registered event type (GET /v1/event-types)`;

const PersonLevel = z.object({ level: z.literal('person'), definition: personDefinitionSchema }).strict();
const AccountLevel = z.object({ level: z.literal('account'), definition: accountDefinitionSchema }).strict();
const Definition = z.discriminatedUnion('level', [PersonLevel, AccountLevel]);
const name = nonBlankText(200);
// One strict object per level (not an intersection): a JSON Schema allOf of closed objects could hold no name.
const SegmentInput = z.discriminatedUnion('level', [PersonLevel.extend({ name }), AccountLevel.extend({ name })]).openapi('SegmentInput');
const PreviewInput = Definition.openapi('SegmentPreviewInput');
const SAVED_ID = { id: '$response.body#/id' };
const SegmentIdParams = z.object({ id: z.string().regex(/^seg_[A-Za-z0-9_-]{1,40}$/, 'must be a segment id (seg_…)') });

async function checked<T extends z.infer<typeof Definition>>(body: T): Promise<T> {
  const problems = [...checkDefinition(body.level, body.definition), ...(await unknownEventTypes(segmentEventTypes(body.definition)))];
  if (problems.length) throw ApiError.validation(problems, 'segment definition is invalid');
  return body;
}

/** Everyone is evaluated against the new set of segments, in the background, by their own entity workflows. */
async function startRefresh(deps: RouteDeps, revision: number, why: string): Promise<void> {
  await deps.delivery.client.workflow.start<typeof segmentRefreshWorkflow>('segmentRefreshWorkflow', {
    workflowId: segmentRefreshWorkflowId(deps.delivery.taskQueue, revision),
    taskQueue: deps.delivery.taskQueue,
    args: [{ revision }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    staticSummary: why,
  });
}

async function findSegment(id: string) {
  const segment = await Segment.findOne({ _id: id }).lean();
  if (!segment || segment.deletedAt) throw ApiError.notFound(`segment '${id}'`);
  return segment;
}

export function segmentRoutes(deps: RouteDeps, opts: SnapshotOptions): void {
  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/segments/preview',
    tag: 'Segments',
    summary: 'Live count and a sample for a definition being edited, from an in-memory snapshot that reflects every write acknowledged before the request (?fresh=true reloads it wholesale)',
    roles: ['admin', 'marketer'],
    query: z.object({ fresh: z.enum(['true', 'false']).optional() }),
    body: PreviewInput,
    checkedBeyondSchema: SEGMENT_RULES,
    responses: {
      200: {
        description: 'count and sample',
        schema: z.object({ count: z.number(), sample: z.array(z.unknown()), asOf: z.string(), loadedMs: z.number(), loadedFrom: z.enum(['database', 'checkpoint']) }),
      },
    },
    handler: async ({ body, query }) => {
      const request = await checked(body);
      const snapshot = await snapshotFor(deps, opts, query.fresh === 'true');
      const { count, sample } = previewAudience(snapshot, request, Date.now());
      return { status: 200, body: { count, sample, asOf: snapshot.asOf.toISOString(), loadedMs: snapshot.loadedMs, loadedFrom: snapshot.loadedFrom } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/segments',
    tag: 'Segments',
    summary: 'Save a segment: its members are listed at once from the preview snapshot; everyone is judged in the background (entries, journeys), then membership follows events and time',
    roles: ['admin', 'marketer'],
    body: SegmentInput,
    checkedBeyondSchema: SEGMENT_RULES,
    responses: {
      201: {
        description: 'saved',
        schema: z.object({ id: z.string(), revision: z.number() }),
        links: {
          segment: linkTo('get', '/v1/segments/:id', SAVED_ID),
          members: linkTo('get', '/v1/segments/:id/members', SAVED_ID),
          export: linkTo('get', '/v1/segments/:id/export', SAVED_ID),
          delete: linkTo('delete', '/v1/segments/:id', SAVED_ID),
        },
      },
    },
    handler: async ({ body }) => {
      const input = await checked(body);
      const saved = await saveListingMembers(await snapshotFor(deps, opts), input);
      await startRefresh(deps, saved.revision, `Evaluate everyone for segment '${input.name}'`);
      return { status: 201, body: saved };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/segments',
    tag: 'Segments',
    summary: 'Saved segments with their member counts',
    roles: ['admin', 'marketer', 'operator'],
    query: Pagination,
    responses: { 200: { description: 'segments', schema: z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      const docs = (await Segment.find({}).sort({ createdAt: 1, _id: 1 }).lean()).filter((d) => !d.deletedAt);
      const slice = docs.slice(offset, offset + query.limit + 1);
      const items = await Promise.all(
        slice.map(async (d) => ({ id: d._id, name: d.name, level: d.level, definition: d.definition, createdAt: d.createdAt.toISOString(), members: await SegmentMember.countDocuments({ segmentId: d._id }) })),
      );
      return { status: 200, body: page(items, offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/segments/:id',
    tag: 'Segments',
    summary: 'A saved segment, its member count and the progress of evaluating everyone for it',
    roles: ['admin', 'marketer', 'operator'],
    params: SegmentIdParams,
    responses: { 200: { description: 'the segment', schema: z.unknown() } },
    handler: async ({ params }) => {
      const s = await findSegment(params.id);
      const members = await SegmentMember.countDocuments({ segmentId: s._id });
      return { status: 200, body: { id: s._id, name: s.name, level: s.level, definition: s.definition, createdAt: s.createdAt.toISOString(), members, evaluation: await progressOf<SegmentRefreshProgress>(deps.delivery.client, segmentRefreshWorkflowId(deps.delivery.taskQueue, s.revision), segmentRefreshProgressQuery) } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'delete',
    path: '/v1/segments/:id',
    tag: 'Segments',
    summary: 'Delete a segment (its recorded entries and exits stay readable)',
    roles: ['admin', 'marketer'],
    params: SegmentIdParams,
    responses: { 204: { description: 'deleted' } },
    handler: async ({ params, res }) => {
      const revision = await deleteSegment(params.id);
      if (revision === undefined) throw ApiError.notFound(`segment '${params.id}'`);
      await startRefresh(deps, revision, `Drop segment ${params.id} from everyone`);
      res.status(204).end();
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/segments/:id/members',
    tag: 'Segments',
    summary: 'Current members, or with ?changedSince= the entries and exits since then (oldest first)',
    roles: ['admin', 'marketer', 'operator'],
    params: SegmentIdParams,
    query: Pagination.extend({ changedSince: z.iso.datetime({ offset: true }).optional() }),
    responses: { 200: { description: 'members or changes', schema: z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() }) } },
    handler: async ({ params, query }) => {
      await findSegment(params.id);
      const offset = decodeCursor(query.cursor);
      if (query.changedSince) {
        const since = new Date(query.changedSince);
        const docs = await SegmentChange.find({ segmentId: params.id, at: op({ $gt: since }) }).sort({ at: 1, _id: 1 }).skip(offset).limit(query.limit + 1).lean();
        const items = docs.map((d) => ({ memberId: d.memberId, change: d.change, at: d.at.toISOString() }));
        return { status: 200, body: page(items, offset, query.limit) };
      }
      const docs = await SegmentMember.find({ segmentId: params.id }).sort({ _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      const items = docs.map((d) => ({ memberId: d.memberId, since: d.since.toISOString() }));
      return { status: 200, body: page(items, offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/segments/:id/export',
    tag: 'Segments',
    summary: "A segment's members as CSV or NDJSON, streamed (matched audiences, sales lists; audited)",
    roles: ['admin', 'marketer'],
    params: SegmentIdParams,
    query: z.object({ format: z.enum(TABLE_FORMATS).default('csv') }),
    responses: { 200: { description: 'the members, one per line' } },
    handler: async ({ params, query, auth, res }) => {
      const segment = await findSegment(params.id);
      await audit(auth, 'export', `segment:${segment._id}`);
      await exportMembers(res, { segmentId: segment._id, name: segment.name, level: segment.level, format: query.format });
    },
  });
}

