import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { everySeconds } from '../../domain/lead-transfers/every';
import { INCLUDE_FIELDS } from '../../domain/lead-transfers/fingerprint';
import { mayRunNow, TRANSFER_ACTIONS, TRANSFER_STATUSES, type TransferStatus } from '../../domain/lead-transfers/status';
import { nonBlankText } from '../../domain/non-blank-text';
import { connectionView } from '../../lib/crm-connections';
import { triggerTransferRun } from '../../lib/lead-transfer-schedule';
import { changeStatus, createTransfer, editTransfer, type Refusal, type TransferInput } from '../../lib/lead-transfer-store';
import { LeadTransfer, type LeadTransferDoc } from '../../models/lead-transfer';
import { LeadTransferRun } from '../../models/lead-transfer-run';
import { Segment } from '../../models/segment';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { decodeCursor, Key, page, Pagination } from '../schemas/common';
import { z } from '../zod';
import { leadTransferRunRoutes, TransferIdParams } from './lead-transfer-runs';

const LeadTransferInput = z
  .object({
    name: nonBlankText(200),
    segmentId: z.string().regex(/^seg_[A-Za-z0-9_-]{1,40}$/, 'must be a segment id (seg_…)'),
    connection: Key,
    every: z.string().max(40).openapi({ example: 'PT1H' }),
    include: z
      .array(z.enum(INCLUDE_FIELDS))
      .max(INCLUDE_FIELDS.length)
      .refine((a) => new Set(a).size === a.length, 'must not name a field twice')
      .optional(),
  })
  .strict()
  .openapi('LeadTransferInput');

const LeadTransferView = z
  .object({
    id: z.string(),
    name: z.string(),
    segmentId: z.string(),
    connection: z.string(),
    every: z.string(),
    include: z.array(z.enum(INCLUDE_FIELDS)),
    status: z.enum(TRANSFER_STATUSES),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('LeadTransfer');

const viewOf = (t: LeadTransferDoc) => ({
  id: t._id,
  name: t.name,
  segmentId: t.segmentId,
  connection: t.connection,
  every: t.every,
  include: t.include,
  status: t.status,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

const SAVED = { id: '$response.body#/id' };
const LINKS = { transfer: linkTo('get', '/v1/lead-transfers/:id', SAVED), runs: linkTo('get', '/v1/lead-transfers/:id/runs', SAVED) };
const WRITERS = ['admin', 'marketer'] as const;
const READERS = ['admin', 'marketer', 'operator'] as const;
const CHECKED = "every: an ISO 8601 duration of whole seconds, at least the deployment's minimum (PT1M unless configured); segmentId: a person segment";

/** The body as stored, or a 400 naming the field, or a 404 naming the segment or connection that does not exist. */
async function checkedInput(body: z.infer<typeof LeadTransferInput>, minEverySeconds: number): Promise<TransferInput> {
  const every = everySeconds(body.every, minEverySeconds);
  if ('error' in every) throw ApiError.validation([{ path: 'every', message: every.error }]);
  const segment = await Segment.findOne({ _id: body.segmentId }, { level: 1, deletedAt: 1 }).lean();
  if (!segment || segment.deletedAt) throw ApiError.notFound(`segment '${body.segmentId}'`);
  if (segment.level !== 'person') throw ApiError.validation([{ path: 'segmentId', message: 'must be a person segment: a transfer hands over people' }]);
  if (!(await connectionView(body.connection))) throw ApiError.notFound(`crm connection '${body.connection}'`);
  return { name: body.name, segmentId: body.segmentId, connection: body.connection, every: body.every, everySeconds: every.seconds, include: body.include ?? [...INCLUDE_FIELDS] };
}

function orThrow(id: string, changed: { transfer: LeadTransferDoc } | Refusal): LeadTransferDoc {
  if ('notFound' in changed) throw ApiError.notFound(`lead transfer '${id}'`);
  if ('conflict' in changed) throw ApiError.conflict(changed.conflict);
  return changed.transfer;
}

/** A run recorded as running whose workflow has ended (terminated by an operator) must not block the next one. */
async function stillRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

export async function transferOrThrow(id: string): Promise<LeadTransferDoc> {
  const t = await LeadTransfer.findOne({ _id: id }).lean();
  if (!t) throw ApiError.notFound(`lead transfer '${id}'`);
  return t as LeadTransferDoc;
}

/** Recurring hand-overs of a segment's leads to a CRM: their settings, statuses and runs (seed 003, Transfer Leads). */
export function leadTransferRoutes(deps: RouteDeps, settings: { minEverySeconds: number }): void {
  const target = { client: deps.delivery.client, taskQueue: deps.delivery.taskQueue };

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/lead-transfers',
    tag: 'Lead transfers',
    summary: 'Create a lead transfer (a draft: nothing runs on its schedule until it is activated)',
    roles: WRITERS,
    body: LeadTransferInput,
    checkedBeyondSchema: CHECKED,
    responses: {
      201: { description: 'created', schema: z.object({ id: z.string(), status: z.literal('draft') }), links: LINKS },
      404: { description: 'not_found: the segment or the CRM connection does not exist (the message names it)' },
    },
    handler: async ({ body }) => {
      const transfer = await createTransfer(target, await checkedInput(body, settings.minEverySeconds));
      return { status: 201, body: { id: transfer._id, status: 'draft' } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/lead-transfers',
    tag: 'Lead transfers',
    summary: 'Lead transfers, oldest first',
    roles: READERS,
    query: Pagination,
    responses: { 200: { description: 'transfers', schema: z.object({ items: z.array(LeadTransferView), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      const docs = await LeadTransfer.find({}).sort({ createdAt: 1, _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      return { status: 200, body: page((docs as LeadTransferDoc[]).map(viewOf), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/lead-transfers/:id',
    tag: 'Lead transfers',
    summary: 'A lead transfer',
    roles: READERS,
    params: TransferIdParams,
    responses: { 200: { description: 'the transfer', schema: LeadTransferView } },
    handler: async ({ params }) => ({ status: 200, body: viewOf(await transferOrThrow(params.id)) }),
  });

  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/lead-transfers/:id',
    tag: 'Lead transfers',
    summary: 'Replace the settings of a draft or paused transfer (409 otherwise); the next run uses them',
    roles: WRITERS,
    params: TransferIdParams,
    body: LeadTransferInput,
    checkedBeyondSchema: CHECKED,
    responses: {
      200: { description: 'saved', schema: LeadTransferView },
      404: { description: 'not_found: the transfer, the segment or the CRM connection does not exist (the message names it)' },
      409: { description: 'conflict: the transfer is active or stopped' },
    },
    handler: async ({ params, body }) => {
      await transferOrThrow(params.id);
      const input = await checkedInput(body, settings.minEverySeconds);
      return { status: 200, body: viewOf(orThrow(params.id, await editTransfer(target, params.id, input))) };
    },
  });

  for (const action of TRANSFER_ACTIONS) {
    defineRoute(deps.router, deps.registry, {
      method: 'post',
      path: `/v1/lead-transfers/:id/${action}`,
      tag: 'Lead transfers',
      summary: {
        activate: 'Run on the schedule from now on (a draft or a paused transfer)',
        pause: 'Hold the schedule (an active transfer); a run in progress finishes',
        stop: 'Stop for good: no more runs, the history stays readable',
      }[action],
      roles: WRITERS,
      params: TransferIdParams,
      responses: { 200: { description: 'the transfer in its new status', schema: LeadTransferView }, 409: { description: 'conflict: the current status does not allow it (the message names it)' } },
      handler: async ({ params }) => ({ status: 200, body: viewOf(orThrow(params.id, await changeStatus(target, params.id, action))) }),
    });
  }

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/lead-transfers/:id/run',
    tag: 'Lead transfers',
    summary: 'One run now, whatever the schedule (draft, active or paused; not stopped, nor while a run is in progress); follow it at /runs',
    roles: WRITERS,
    params: TransferIdParams,
    responses: {
      202: { description: 'the run is starting', schema: z.object({ id: z.string(), status: z.enum(TRANSFER_STATUSES) }), links: { runs: linkTo('get', '/v1/lead-transfers/:id/runs', SAVED) } },
      409: { description: 'conflict: the transfer is stopped, or one of its runs is in progress' },
    },
    handler: async ({ params }) => {
      const transfer = await transferOrThrow(params.id);
      const refused = mayRunNow(transfer.status as TransferStatus);
      if (refused) throw ApiError.conflict(refused);
      const running = await LeadTransferRun.findOne({ transferId: transfer._id, status: 'running' }, { workflowId: 1 }).lean();
      if (running && (await stillRunning(target.client, running.workflowId))) throw ApiError.conflict(`run '${running._id}' of this transfer is in progress: wait for it to finish`);
      await triggerTransferRun(target.client, target.taskQueue, { ...transfer, status: transfer.status as TransferStatus });
      return { status: 202, body: { id: transfer._id, status: transfer.status } };
    },
  });

  leadTransferRunRoutes(deps);
}
