import { model, Schema } from 'mongoose';

/**
 * An event type the engine knows: a custom name registered on first sight
 * (the tracking API) or ahead (PUT /v1/event-types/:name), or a built-in type
 * once seen (its counters). `_id` is the name.
 */
const eventTypeSchema = new Schema(
  {
    _id: { type: String, required: true },
    description: String,
    /** The built-in type a custom name counts as for scoring, segments and journeys. */
    means: String,
    /** How it was registered: 'seen' (first sight) or 'api' (PUT). */
    source: { type: String, required: true },
    registeredAt: { type: Date, required: true },
    count: { type: Number, default: 0 },
    firstSeenAt: Date,
    lastSeenAt: Date,
  },
  { versionKey: false, minimize: false },
);

export const EventTypeRecord = model('EventType', eventTypeSchema, 'event_types');
