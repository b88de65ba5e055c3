import { model, Schema } from 'mongoose';

/**
 * An event stored but not yet applied by its entity workflow. The collection
 * stays small (in-flight events only), so the sweeper's scan of it is cheap.
 */
const pendingEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    workflowId: { type: String, required: true },
    entity: { type: Schema.Types.Mixed, required: true },
    event: { type: Schema.Types.Mixed, required: true },
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

// Markers are cleared by workflow (lib/pending-markers.ts).
pendingEventSchema.index({ workflowId: 1 });

export const PendingEvent = model('PendingEvent', pendingEventSchema, 'pending_events');
