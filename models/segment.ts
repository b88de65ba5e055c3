import { InferSchemaType, model, Schema } from 'mongoose';

/**
 * A saved segment. Definitions are never edited in place; `revision` numbers
 * every save and delete, so "who has been evaluated against the current set of
 * segments" is the top-level equality `segmentsRevision = n` on people.
 */
const segmentSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    level: { type: String, required: true, enum: ['person', 'account'] },
    definition: { type: Schema.Types.Mixed, required: true },
    revision: { type: Number, required: true, unique: true },
    createdAt: { type: Date, required: true },
    deletedAt: Date,
  },
  { versionKey: false, minimize: false },
);

export const Segment = model('Segment', segmentSchema, 'segments');
export type SegmentDoc = InferSchemaType<typeof segmentSchema> & { _id: string };
