import { model, Schema } from 'mongoose';

/** Every saved scoring model, by version; exactly one is active. Never edited. */
const scoringModelSchema = new Schema(
  {
    _id: { type: Number, required: true },
    model: { type: Schema.Types.Mixed, required: true },
    warnings: { type: [String], default: [] },
    active: { type: Boolean, required: true, index: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export const ScoringModelVersion = model('ScoringModelVersion', scoringModelSchema, 'scoring_models');
