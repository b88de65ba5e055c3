import express from 'express';
import type { Request } from 'express';
import { ImportFileError, ImportFormat, ImportKind, splitImportFile } from '../../domain/import-file';
import { newId } from '../../lib/ids';
import { Import, ImportChunk, importChunkId } from '../../models/import';
import { importWorkflowId } from '../../workflows/import';
import type { importWorkflow } from '../../workflows/import';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { ImportAccepted, ImportFile, ImportIdParams, ImportQuery, ImportStatus } from '../schemas/imports';

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'];
const FILE_TYPES = [...NDJSON_TYPES, 'text/csv', 'text/plain'];
/** Chunk documents written per insert, bounding one write's size (chunks are up to 4 MB). */
const CHUNKS_PER_INSERT = 20;

const badBody = (message: string) => ApiError.validation([{ path: 'body', message }], 'the file cannot be imported');

function formatOf(req: Request, given: ImportFormat | undefined): ImportFormat {
  if (given) return given;
  if (req.is('text/csv')) return 'csv';
  if (req.is(NDJSON_TYPES)) return 'ndjson';
  throw ApiError.validation([{ path: 'query.format', message: `is required when the content type (${req.get('content-type') ?? 'none'}) does not say: ndjson or csv` }]);
}

function fileOf(req: Request): string {
  if (typeof req.body === 'string' && req.body.trim()) return req.body;
  const sent = typeof req.body === 'object' || Number(req.get('content-length') ?? 0) > 0;
  if (typeof req.body !== 'string' && sent) {
    throw badBody(`must be the raw file with content type ${FILE_TYPES.join(', ')}, not ${req.get('content-type') ?? 'none'}`);
  }
  throw badBody('is empty: send the file itself as the request body');
}

export function importRoutes(deps: RouteDeps): void {
  // The file arrives raw, not as JSON; only this path takes bodies this large.
  deps.router.use('/v1/imports', express.text({ type: FILE_TYPES, limit: '50mb' }));

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/imports',
    tag: 'Ingestion',
    summary:
      'Import accounts, people or events from an NDJSON or CSV file (the raw file as body, content type application/x-ndjson or text/csv, up to 50 MB / 1,000,000 rows); rows are validated like the single-record endpoints and written in the background',
    roles: ['admin', 'marketer', 'ingest'],
    query: ImportQuery,
    fileBody: { contentTypes: ['text/csv', 'application/x-ndjson'], schema: ImportFile },
    checkedBeyondSchema: "a CSV header names only columns of the kind, with its required ones; format given when the content type does not say it; at most 1,000,000 rows",
    responses: {
      202: { description: 'stored; GET /v1/imports/{importId} shows the progress', schema: ImportAccepted, links: { progress: linkTo('get', '/v1/imports/:importId', { importId: '$response.body#/importId' }) } },
    },
    handler: async ({ query, req, auth }) => {
      const kind: ImportKind = query.kind;
      const format = formatOf(req, query.format);
      const text = fileOf(req);
      let split;
      try {
        split = splitImportFile(kind, format, text);
      } catch (err) {
        if (err instanceof ImportFileError) throw badBody(err.message);
        throw err;
      }
      const importId = newId('imp');
      const chunks = split.chunks.map((c, n) => ({ _id: importChunkId(importId, n), importId, n, ...c }));
      try {
        for (let i = 0; i < chunks.length; i += CHUNKS_PER_INSERT) {
          await ImportChunk.insertMany(chunks.slice(i, i + CHUNKS_PER_INSERT), { lean: true });
        }
        await Import.create({ _id: importId, kind, format, columns: split.columns, role: auth.role, status: 'queued', total: split.total, chunks: chunks.length, createdAt: new Date() });
        await deps.delivery.client.workflow.start<typeof importWorkflow>('importWorkflow', {
          workflowId: importWorkflowId(importId),
          taskQueue: deps.delivery.taskQueue,
          args: [{ importId, chunks: chunks.length, total: split.total }],
          staticSummary: `Import of ${split.total} ${kind} (${format}, ${chunks.length} chunks)`,
        });
      } catch (err) {
        // Nothing half-written: without its workflow an import would wait for ever.
        await Promise.allSettled([ImportChunk.deleteMany({ importId }), Import.deleteOne({ _id: importId })]);
        throw err;
      }
      return { status: 202, body: { importId, total: split.total, chunks: chunks.length } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/imports/:importId',
    tag: 'Ingestion',
    summary: 'Progress of an import and the rows it refused (the first 1000, with row, line and field)',
    roles: ['admin', 'marketer', 'ingest', 'operator'],
    params: ImportIdParams,
    responses: { 200: { description: 'the import', schema: ImportStatus } },
    handler: async ({ params }) => {
      const job = await Import.findOne({ _id: params.importId }, { chunksDone: 0, columns: 0 }).lean();
      if (!job) throw ApiError.notFound(`import '${params.importId}'`);
      return {
        status: 200,
        body: {
          importId: job._id,
          kind: job.kind,
          format: job.format,
          status: job.status,
          total: job.total,
          done: job.done ?? 0,
          failed: job.failed ?? 0,
          duplicates: job.duplicates ?? 0,
          errorCount: job.errorCount ?? 0,
          errors: (job.rowErrors ?? []).map((e) => ({ row: e.row!, line: e.line!, ...(e.field ? { field: e.field } : {}), message: e.message! })),
          ...(job.failureReason ? { failureReason: job.failureReason } : {}),
          createdAt: job.createdAt.toISOString(),
          finishedAt: job.finishedAt?.toISOString() ?? null,
        },
      };
    },
  });
}
