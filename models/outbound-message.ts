import { model, Schema } from 'mongoose';

/**
 * A message for a channel (CRM, sales, email, LinkedIn) that an adapter
 * delivers later. `_id` is its idempotency key: whatever retries or replays
 * happen upstream, a message is recorded once and so sent once.
 */
const outboundMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true, index: true },
    type: { type: String, required: true },
    accountKey: { type: String, index: true },
    personId: String,
    payload: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, required: true, default: 'pending', index: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export const OutboundMessage = model('OutboundMessage', outboundMessageSchema, 'outbound_messages');
