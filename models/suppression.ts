import { model, Schema } from 'mongoose';

/**
 * An address that gets no more email of a scope (`all`, or one topic):
 * unsubscribed, bounced hard, complained or suppressed by hand. `_id` is
 * `<email>:<scope>`, so suppressing twice keeps the first record.
 */
const suppressionSchema = new Schema(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true, index: true },
    personId: { type: String, index: true },
    scope: { type: String, required: true },
    reason: { type: String, enum: ['unsubscribed', 'hard_bounce', 'complaint', 'manual'], required: true },
    source: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const Suppression = model('Suppression', suppressionSchema, 'suppressions');
