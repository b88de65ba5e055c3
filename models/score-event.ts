import { model, Schema } from 'mongoose';

/**
 * A lead's status change (`score.qualified`, `score.discarded`, `score.nurture`),
 * for CRM sync and journeys. `_id` is person and batch, so a retried batch
 * records it once.
 */
const scoreEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    personId: { type: String, required: true, index: true },
    accountKey: { type: String, index: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    total: { type: Number, required: true },
    modelVersion: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const ScoreEvent = model('ScoreEvent', scoreEventSchema, 'score_events');
