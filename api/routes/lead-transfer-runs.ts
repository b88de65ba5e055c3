import { personalDataView } from '../../domain/masking';
import { findEach } from '../../lib/each-statement';
import { progressOf } from '../../lib/workflow-progress';
import { LeadTransfer } from '../../models/lead-transfer';
import { LeadTransferRun, LeadTransferRunLead } from '../../models/lead-transfer-run';
import { Person } from '../../models/person';
import { leadTransferProgressQuery, type LeadTransferProgress } from '../../workflows/lead-transfer-messages';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { z } from '../zod';
import { audit } from './accounts';

export const TransferIdParams = z.object({ id: z.string().regex(/^lt_[A-Za-z0-9_-]{1,40}$/, 'must be a lead transfer id (lt_…)') });
const RunParams = TransferIdParams.extend({ runId: z.string().regex(/^ltr_[A-Za-z0-9]{1,40}$/, 'must be a run id (ltr_…)') });

const RunSummary = z
  .object({
    runId: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    status: z.enum(['running', 'completed', 'failed']),
    transferred: z.number(),
    skipped: z.number(),
    failed: z.number(),
    pending: z.number(),
    error: z.string().optional(),
  })
  .openapi('LeadTransferRun');
const RunLead = z.object({ personId: z.string(), email: z.string().nullable(), outcome: z.enum(['pending', 'transferred', 'failed']), error: z.string().optional(), messageId: z.string() }).openapi('LeadTransferRunLead');

type RunDoc = { _id: string; startedAt: Date; finishedAt?: Date | null; status: string; transferred?: number | null; skipped?: number | null; failed?: number | null; pending?: number | null; error?: string | null };
const summaryOf = (r: RunDoc) => ({
  runId: r._id,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
  status: r.status as 'running' | 'completed' | 'failed',
  transferred: r.transferred ?? 0,
  skipped: r.skipped ?? 0,
  failed: r.failed ?? 0,
  pending: r.pending ?? 0,
  ...(r.error ? { error: r.error } : {}),
});

async function assertTransfer(id: string): Promise<void> {
  if (!(await LeadTransfer.exists({ _id: id }))) throw ApiError.notFound(`lead transfer '${id}'`);
}

/** A transfer's execution history: each run's counts, and the leads it handed over with their outcome (seed 003: the bar chart and the list behind a bar). */
export function leadTransferRunRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/lead-transfers/:id/runs',
    tag: 'Lead transfers',
    summary: "A transfer's runs, newest first, with their counts (skipped: nothing new since the lead's last transfer)",
    roles: ['admin', 'marketer', 'operator'],
    params: TransferIdParams,
    query: Pagination,
    responses: { 200: { description: 'runs', schema: z.object({ items: z.array(RunSummary), nextCursor: z.string().nullable() }) } },
    handler: async ({ params, query }) => {
      await assertTransfer(params.id);
      const offset = decodeCursor(query.cursor);
      // Read by the transfer (an equality the embedded database pushes down), ordered here.
      const runs = (await LeadTransferRun.find({ transferId: params.id }).lean()).sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a._id < b._id ? 1 : -1));
      return { status: 200, body: page(runs.slice(offset, offset + query.limit + 1).map(summaryOf), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/lead-transfers/:id/runs/:runId',
    tag: 'Lead transfers',
    summary: 'One run: its counts, its progress while it runs, and the leads it handed over with their outcome and the CRM\'s reason for each failure (emails masked for operators; audited)',
    roles: ['admin', 'marketer', 'operator'],
    params: RunParams,
    query: Pagination,
    responses: {
      200: {
        description: 'the run and a page of its leads',
        schema: RunSummary.extend({ progress: z.unknown().optional(), leads: z.array(RunLead), nextCursor: z.string().nullable() }),
      },
    },
    handler: async ({ params, query, auth }) => {
      const run = await LeadTransferRun.findOne({ _id: params.runId }).lean();
      if (!run || run.transferId !== params.id) throw ApiError.notFound(`run '${params.runId}' of lead transfer '${params.id}'`);
      const offset = decodeCursor(query.cursor);
      const docs = await LeadTransferRunLead.find({ runId: run._id }).sort({ _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      const emails = new Map((await findEach(docs.map((d) => d.personId), async (id) => [{ id, email: (await Person.findOne({ _id: id }, { email: 1 }).lean())?.email }])).map((p) => [p.id, p.email]));
      const view = personalDataView(auth.role);
      await audit(auth, 'read', `lead-transfer-run:${run._id}`);
      const { items, nextCursor } = page(
        docs.map((d) => {
          const email = emails.get(d.personId);
          return { personId: d.personId, email: email ? view.identifier('email', email) : null, outcome: d.outcome as 'pending' | 'transferred' | 'failed', ...(d.error ? { error: d.error } : {}), messageId: d.messageId };
        }),
        offset,
        query.limit,
      );
      const progress = run.status === 'running' ? await progressOf<LeadTransferProgress>(deps.delivery.client, run.workflowId, leadTransferProgressQuery) : undefined;
      return { status: 200, body: { ...summaryOf(run), ...(progress ? { progress } : {}), leads: items, nextCursor } };
    },
  });
}
