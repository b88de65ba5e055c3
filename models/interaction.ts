import { model, Schema } from 'mongoose';

/** A stored interaction; `_id` is the client's eventId, so a replay cannot store it twice. */
const interactionSchema = new Schema(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    /** The built-in type a custom name was mapped to when it was received. */
    means: String,
    occurredAt: { type: Date, required: true },
    receivedAt: { type: Date, required: true },
    personId: { type: String, required: true, index: true },
    accountKey: { type: String, index: true },
    properties: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

export const Interaction = model('Interaction', interactionSchema, 'interactions');
