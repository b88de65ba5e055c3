import { model, Schema } from 'mongoose';

/** One ID merge: who merged into whom, when and why. The merged person's record is kept. */
const mergeSchema = new Schema(
  {
    _id: { type: String, required: true },
    from: { type: String, required: true, index: true },
    into: { type: String, required: true, index: true },
    reason: { type: String, required: true },
    identifiers: { type: [String], default: [] },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const Merge = model('Merge', mergeSchema, 'merges');
