import type { MongooseQueryMiddleware, Query, Schema } from 'mongoose';
import { AudienceKind, noteAudienceChange } from '../lib/audience-feed';

const QUERY_WRITES: MongooseQueryMiddleware[] = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndDelete'];
const QUERY_ONLY = { document: false, query: true } as const;

/** The `_id`s a filter names, or undefined when it names them some other way. */
function idsNamed(filter: Record<string, unknown>): string[] | undefined {
  const id = filter._id;
  if (typeof id === 'string') return [id];
  if (id && typeof id === 'object' && Array.isArray((id as { $in?: unknown }).$in)) return (id as { $in: string[] }).$in;
  return undefined;
}

/** An update that changed nothing (a guarded write on a replay matches nobody) or a delete that removed nothing has nothing to note. */
function changedNothing(result: unknown): boolean {
  if (!result || typeof result !== 'object') return false;
  const r = result as { modifiedCount?: number; upsertedCount?: number; deletedCount?: number };
  if (typeof r.deletedCount === 'number') return r.deletedCount === 0;
  return typeof r.modifiedCount === 'number' && r.modifiedCount === 0 && !r.upsertedCount;
}

/**
 * Every write through the model notes the documents it wrote in the audience
 * feed before it is acknowledged (lib/audience-feed), so segment previews see
 * it. A filter that names no `_id` is resolved to its documents first.
 */
export function notesAudienceChanges(kind: AudienceKind) {
  return (schema: Schema) => {
    const touched = new WeakMap<object, string[]>();
    schema.pre(QUERY_WRITES, QUERY_ONLY, async function (this: Query<unknown, unknown>) {
      const filter = this.getFilter();
      const ids = idsNamed(filter) ?? (await this.model.find(filter, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => d._id);
      touched.set(this, ids);
    });
    schema.post(QUERY_WRITES, QUERY_ONLY, async function (this: Query<unknown, unknown>, result: unknown) {
      if (changedNothing(result)) return;
      await noteAudienceChange(kind, touched.get(this) ?? []);
    });
    schema.post('insertMany', async (docs: { _id: string }[]) => noteAudienceChange(kind, docs.map((d) => d._id)));
    // An unordered insert that met a duplicate still inserted the others.
    schema.post('insertMany', function (error: Error & { insertedDocs?: { _id: string }[] }, _docs: unknown, next: (err?: Error) => void) {
      const settle = () => next(error);
      noteAudienceChange(kind, (error.insertedDocs ?? []).map((d) => d._id)).then(settle, settle);
    });
    schema.post('save', async (doc: { _id: string }) => noteAudienceChange(kind, [doc._id]));
  };
}
