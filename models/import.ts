import { InferSchemaType, model, Schema } from 'mongoose';

/** Errors kept per import; all are counted (errorCount). */
export const IMPORT_ERRORS_KEPT = 1000;

const rowErrorSchema = new Schema({ row: Number, line: Number, field: String, message: String }, { _id: false });

/** One bulk import: what it is, how far it got and what it refused. */
const importSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    format: { type: String, required: true },
    /** CSV header, checked at upload. */
    columns: { type: [String], default: undefined },
    status: { type: String, required: true },
    /** The importing key's role: rows are held to what that role may change (domain/roles). */
    role: String,
    total: { type: Number, required: true },
    chunks: { type: Number, required: true },
    done: { type: Number, default: 0 },
    failed: { type: Number, default: 0 },
    duplicates: { type: Number, default: 0 },
    errorCount: { type: Number, default: 0 },
    /** `errors` is a mongoose reserved name. */
    rowErrors: { type: [rowErrorSchema], default: [] },
    /** Chunks already counted: the guard that keeps a retried chunk from counting twice. */
    chunksDone: { type: [Number], default: [] },
    failureReason: String,
    createdAt: { type: Date, required: true },
    startedAt: Date,
    finishedAt: Date,
  },
  { versionKey: false },
);

/**
 * Rows of an import in slices (`_id: <importId>:<n>`), so every read is a
 * top-level equality and no document nears the 16 MB limit. Once processed,
 * the rows are dropped and the chunk's result stays as its done-marker.
 */
const importChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    importId: { type: String, required: true },
    n: { type: Number, required: true },
    firstRow: { type: Number, required: true },
    lines: { type: [Number], default: undefined },
    rows: { type: [String], default: undefined },
    result: { type: Schema.Types.Mixed },
  },
  { versionKey: false },
);

export const Import = model('Import', importSchema, 'imports');
export const ImportChunk = model('ImportChunk', importChunkSchema, 'import_chunks');
export type ImportDoc = InferSchemaType<typeof importSchema> & { _id: string };

export function importChunkId(importId: string, n: number): string {
  return `${importId}:${n}`;
}
