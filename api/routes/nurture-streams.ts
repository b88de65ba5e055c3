import { nurtureStreamSchema, type NurtureDefinition } from '../../domain/nurture/definition';
import { mayEnrol, STREAM_ACTIONS, STREAM_STATUSES } from '../../domain/nurture/status';
import { streamStats } from '../../domain/nurture/stats';
import { enrolPeople } from '../../lib/nurture-enrol';
import { changeStatus, createStream, editStream, streamMessages, type Refusal, type StreamDoc } from '../../lib/nurture-store';
import { NurtureEnrolment, type NurtureEnrolmentDoc } from '../../models/nurture-enrolment';
import { EnrolmentView, enrolmentView, SHOWN_STATUSES, StreamStatsView } from '../schemas/nurture';
import { NurtureStream } from '../../models/nurture-stream';
import { Segment } from '../../models/segment';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { z } from '../zod';

const StreamParams = z.object({ id: z.string().regex(/^ns_[A-Za-z0-9_-]{1,40}$/, 'must be a nurture stream id (ns_…)') });

const StreamView = z
  .object({ id: z.string(), name: z.string(), status: z.enum(STREAM_STATUSES), definition: z.unknown(), createdAt: z.string(), updatedAt: z.string() })
  .openapi('NurtureStreamView');
const viewOf = (s: StreamDoc) => ({ id: s._id, name: s.name, status: s.status, definition: s.definition, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() });

/** An entry segment must exist and hold people: its members are who join. */
async function checked(body: NurtureDefinition): Promise<NurtureDefinition> {
  if (!('segmentId' in body.entry)) return body;
  const segment = await Segment.findOne({ _id: body.entry.segmentId }, { level: 1, deletedAt: 1 }).lean();
  if (!segment || segment.deletedAt) throw ApiError.notFound(`segment '${body.entry.segmentId}'`);
  if (segment.level !== 'person') throw ApiError.validation([{ path: 'entry.segmentId', message: 'must be a person segment: its members join the stream' }]);
  return body;
}

function orThrow(id: string, changed: { stream: StreamDoc } | Refusal): StreamDoc {
  if ('notFound' in changed) throw ApiError.notFound(`nurture stream '${id}'`);
  if ('conflict' in changed) throw new ApiError(409, 'conflict', changed.conflict + (changed.details ? `: ${changed.details.map((d) => `${d.path} ${d.message}`).join('; ')}` : ''), changed.details);
  return changed.stream;
}

/** Everyone still on a paused stream: the stored statuses active and exhausted, read whole (an equality each) and merged in id order. */
async function pausedPage(streamId: string, offset: number, count: number): Promise<NurtureEnrolmentDoc[]> {
  const [active, exhausted] = await Promise.all(['active', 'exhausted'].map((status) => NurtureEnrolment.find({ streamId, status }).lean()));
  return ([...active, ...exhausted] as NurtureEnrolmentDoc[]).sort((a, b) => (a._id < b._id ? -1 : 1)).slice(offset, offset + count);
}

async function streamOrThrow(id: string): Promise<StreamDoc> {
  const s = await NurtureStream.findOne({ _id: id }).lean();
  if (!s) throw ApiError.notFound(`nurture stream '${id}'`);
  return s as StreamDoc;
}

const SAVED = { id: '$response.body#/id' };
const WRITERS = ['admin', 'marketer'] as const;
const READERS = ['admin', 'marketer', 'operator'] as const;
const CHECKED = 'entry.segmentId: a person segment';

/** Staged, cadenced programs, one durable workflow per person (seed 003, Lead Nurture Stream). */
export function nurtureStreamRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/nurture-streams',
    tag: 'Nurture streams',
    summary: 'Create a nurture stream (a draft: nobody can join until it is activated)',
    roles: WRITERS,
    body: nurtureStreamSchema,
    checkedBeyondSchema: CHECKED,
    responses: { 201: { description: 'created', schema: z.object({ id: z.string(), status: z.literal('draft') }), links: { stream: linkTo('get', '/v1/nurture-streams/:id', SAVED) } } },
    handler: async ({ body }) => ({ status: 201, body: { id: (await createStream(await checked(body)))._id, status: 'draft' } }),
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/nurture-streams',
    tag: 'Nurture streams',
    summary: 'Nurture streams, oldest first',
    roles: READERS,
    query: Pagination,
    responses: { 200: { description: 'streams', schema: z.object({ items: z.array(StreamView), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      const docs = await NurtureStream.find({}).sort({ createdAt: 1, _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      return { status: 200, body: page((docs as StreamDoc[]).map(viewOf), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/nurture-streams/:id',
    tag: 'Nurture streams',
    summary: 'A nurture stream: its definition and status',
    roles: READERS,
    params: StreamParams,
    responses: { 200: { description: 'the stream', schema: StreamView } },
    handler: async ({ params }) => ({ status: 200, body: viewOf(await streamOrThrow(params.id)) }),
  });

  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/nurture-streams/:id',
    tag: 'Nurture streams',
    summary: 'Replace the definition: anything while draft; while active or paused only appended stages and campaigns (ids kept, people keep their place; new campaigns reach exhausted people at their next cast), a new name, cadence or exit rule',
    roles: WRITERS,
    params: StreamParams,
    body: nurtureStreamSchema,
    checkedBeyondSchema: CHECKED,
    responses: {
      200: { description: 'saved', schema: StreamView },
      409: { description: 'conflict: the stream is stopped, or the edit changes or removes stages or campaigns of a running stream (details name each path)' },
    },
    handler: async ({ params, body }) => ({ status: 200, body: viewOf(orThrow(params.id, await editStream(deps.delivery, params.id, await checked(body)))) }),
  });

  for (const action of STREAM_ACTIONS) {
    defineRoute(deps.router, deps.registry, {
      method: 'post',
      path: `/v1/nurture-streams/:id/${action}`,
      tag: 'Nurture streams',
      summary: {
        activate: 'Open a draft stream: people can be enrolled from now on',
        pause: 'Hold every cast of an active stream; each person keeps their place',
        resume: 'Cast again, each person from where they were',
        stop: 'End the stream for everyone on it; its enrolments stay readable',
      }[action],
      roles: WRITERS,
      params: StreamParams,
      responses: { 200: { description: 'the stream in its new status', schema: StreamView }, 409: { description: 'conflict: the current status does not allow it (the message names it)' } },
      handler: async ({ params }) => ({ status: 200, body: viewOf(orThrow(params.id, await changeStatus(deps.delivery, params.id, action))) }),
    });
  }

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/nurture-streams/:id/enroll',
    tag: 'Nurture streams',
    summary: 'Enrol people in an active or paused stream; a person is on a stream at most once',
    roles: WRITERS,
    params: StreamParams,
    body: z.object({ personIds: z.array(z.string().regex(/^p_[A-Za-z0-9_-]{1,40}$/, 'must be a person id (p_…)')).min(1).max(1000) }).strict(),
    responses: {
      200: { description: 'who joined, who was already on it (or left it), who is unknown', schema: z.object({ enrolled: z.array(z.string()), alreadyEnrolled: z.array(z.string()), unknown: z.array(z.string()) }) },
      409: { description: 'conflict: the stream is a draft or stopped' },
    },
    handler: async ({ params, body }) => {
      const stream = await streamOrThrow(params.id);
      const refused = mayEnrol(stream.status);
      if (refused) throw ApiError.conflict(refused);
      return { status: 200, body: await enrolPeople(deps.delivery, stream, body.personIds) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/nurture-streams/:id/enrollments',
    tag: 'Nurture streams',
    summary: "Who is on the stream: each person's stage, next campaign, next cast time and status (with the reason of those who left)",
    roles: READERS,
    params: StreamParams,
    query: Pagination.extend({ status: z.enum(SHOWN_STATUSES).optional() }),
    responses: { 200: { description: 'enrolments', schema: z.object({ items: z.array(EnrolmentView), nextCursor: z.string().nullable() }) } },
    handler: async ({ params, query }) => {
      const stream = await streamOrThrow(params.id);
      const offset = decodeCursor(query.cursor);
      const paused = stream.status === 'paused';
      const wanted = query.status;
      // On a paused stream everyone who has not left shows as paused, and nobody as active or exhausted.
      if (wanted && (paused ? wanted === 'active' || wanted === 'exhausted' : wanted === 'paused')) return { status: 200, body: page([], offset, query.limit) };
      const stored = async (filter: Record<string, string>) => (await NurtureEnrolment.find({ streamId: stream._id, ...filter }).sort({ _id: 1 }).skip(offset).limit(query.limit + 1).lean()) as NurtureEnrolmentDoc[];
      const docs = wanted === 'paused' ? await pausedPage(stream._id, offset, query.limit + 1) : await stored(wanted ? { status: wanted } : {});
      const items = docs.map((e) => enrolmentView(stream, e));
      return { status: 200, body: page(items, offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/nurture-streams/:id/stats',
    tag: 'Nurture streams',
    summary: 'What each stage and campaign did: messages cast, sent, suppressed, deferred by a cap or the send window, still waiting, failed, clicked',
    roles: READERS,
    params: StreamParams,
    responses: { 200: { description: 'counts per stage and campaign, in order, with totals', schema: StreamStatsView } },
    handler: async ({ params }) => {
      const stream = await streamOrThrow(params.id);
      return { status: 200, body: { streamId: stream._id, ...streamStats(stream.definition, await streamMessages(stream._id)) } };
    },
  });
}
