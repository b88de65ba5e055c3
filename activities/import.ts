import { ApplicationFailure } from '@temporalio/activity';
import type { ImportFormat, ImportKind } from '../domain/import-file';
import { decidesSalesVisibility, Role } from '../domain/roles';
import type { DeliveryTarget } from '../lib/deliver-events';
import { parseRow, RawRow, RowError, RowValue } from '../lib/import-rows';
import { WriteOutcome, WriteRules, writeAccounts, writeEvents, writePeople } from '../lib/import-writers';
import { op } from '../lib/query';
import { Import, IMPORT_ERRORS_KEPT, ImportChunk, importChunkId } from '../models/import';

export interface ImportChunkResult {
  rows: number;
  /** Rows written (for events: accepted or already there). */
  done: number;
  failed: number;
  duplicates: number;
}

function write(delivery: DeliveryTarget, values: RowValue[], rules: WriteRules, importId: string): Promise<WriteOutcome> {
  // A chunk holds rows of one kind, so the indexes of the typed lists are those of `values`.
  const kind = values[0]?.kind;
  if (kind === 'accounts') return writeAccounts(delivery, values.flatMap((v) => (v.kind === 'accounts' ? [v.value] : [])), rules);
  if (kind === 'people') return writePeople(delivery, values.flatMap((v) => (v.kind === 'people' ? [v.value] : [])), rules, importId);
  return writeEvents(delivery, values.flatMap((v) => (v.kind === 'events' ? [v.value] : [])));
}

/**
 * Adds a chunk's result to the import's counters exactly once: the update
 * matches only while the chunk is not yet in `chunksDone`, and adds it in the
 * same atomic write.
 */
async function countChunk(importId: string, chunk: number, errorsSoFar: number, result: ImportChunkResult, errors: RowError[]): Promise<void> {
  const kept = errors.slice(0, Math.max(0, IMPORT_ERRORS_KEPT - errorsSoFar));
  await Import.updateOne(
    { _id: importId, chunksDone: op({ $ne: chunk }) },
    {
      $inc: { done: result.done, failed: result.failed, duplicates: result.duplicates, errorCount: errors.length },
      $push: { chunksDone: chunk, rowErrors: { $each: kept } },
    },
  );
}

export function makeImportActivities(delivery: DeliveryTarget) {
  return {
    /**
     * Validates and writes one chunk of an import. Idempotent: a chunk already
     * processed answers its recorded result; one interrupted half-way is
     * written again (every write is an upsert or de-duplicated) and counted once.
     */
    async importChunk(input: { importId: string; chunk: number }): Promise<ImportChunkResult> {
      const job = await Import.findOne({ _id: input.importId }, { kind: 1, format: 1, columns: 1, status: 1, errorCount: 1, role: 1 }).lean();
      if (!job) throw ApplicationFailure.nonRetryable(`import ${input.importId} does not exist`, 'ImportNotFound');
      const chunkId = importChunkId(input.importId, input.chunk);
      const chunk = await ImportChunk.findOne({ _id: chunkId }).lean();
      if (!chunk) throw ApplicationFailure.nonRetryable(`chunk ${chunkId} does not exist`, 'ImportNotFound');
      if (chunk.result) return chunk.result as ImportChunkResult;
      if (job.status === 'queued') await Import.updateOne({ _id: input.importId, status: 'queued' }, { $set: { status: 'running', startedAt: new Date() } });

      const errors: RowError[] = [];
      const valid: { raw: RawRow; value: RowValue }[] = [];
      const rows = chunk.rows ?? [];
      rows.forEach((text, i) => {
        const raw = { row: chunk.firstRow + i, line: chunk.lines?.[i] ?? 0, text };
        const parsed = parseRow(job.kind as ImportKind, job.format as ImportFormat, job.columns ?? undefined, raw);
        if (parsed.value) valid.push({ raw, value: parsed.value });
        else errors.push(...parsed.errors);
      });
      // Imports recorded before roles were kept came from keys allowed to import anything.
      const rules = { decidesSalesVisibility: !job.role || decidesSalesVisibility(job.role as Role) };
      const outcome = await write(delivery, valid.map((v) => v.value), rules, input.importId);
      for (const r of outcome.rejected) {
        const { row, line } = valid[r.index].raw;
        errors.push({ row, line, ...(r.field ? { field: r.field } : {}), message: r.message });
      }
      errors.sort((a, b) => a.row - b.row);
      const failed = new Set(errors.map((e) => e.row)).size;
      const result: ImportChunkResult = { rows: rows.length, done: rows.length - failed, failed, duplicates: outcome.duplicates };
      await countChunk(input.importId, input.chunk, job.errorCount ?? 0, result, errors);
      // The result is the done-marker; the rows are no longer needed.
      await ImportChunk.updateOne({ _id: chunkId }, { $set: { result }, $unset: { rows: 1, lines: 1 } });
      return result;
    },

    /** Records the end. A completed import drops its chunk markers; a failed one keeps them, so a reset workflow can resume. */
    async finishImport(input: { importId: string; status: 'completed' | 'failed'; reason?: string }): Promise<void> {
      await Import.updateOne(
        { _id: input.importId },
        { $set: { status: input.status, finishedAt: new Date(), ...(input.reason ? { failureReason: input.reason } : {}) } },
      );
      if (input.status === 'completed') await ImportChunk.deleteMany({ importId: input.importId });
    },
  };
}
