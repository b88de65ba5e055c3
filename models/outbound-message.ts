import { model, Schema } from 'mongoose';
import { CHANNELS, STATUSES } from '../domain/delivery/message';

const attemptSchema = new Schema({ at: { type: Date, required: true }, ok: { type: Boolean, required: true }, error: String }, { _id: false });

/**
 * Something the engine decided to send (an email, a sales alert, a CRM record,
 * an audience change), recorded before it is sent. `_id` is its idempotency
 * key: whatever retries or replays happen upstream, a message is recorded once
 * and so sent once; a re-drive sends a dead one again under the same id.
 */
const outboundMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    channel: { type: String, enum: CHANNELS, required: true, index: true },
    type: { type: String, required: true },
    accountKey: { type: String, index: true },
    personId: { type: String, index: true },
    /** Marketing email counts against the caps and needs consent; operational email does not. */
    marketing: { type: Boolean, default: false },
    payload: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: STATUSES, required: true, default: 'pending', index: true },
    reason: String,
    attempts: { type: [attemptSchema], default: [] },
    /** Transient failures since it was recorded or re-driven: the back-off and the dead line count these. */
    failures: { type: Number, default: 0 },
    /** Its place in its lane's queue (domain/delivery/lanes): ready, later, or held by a claim; unset once final. */
    queue: { type: String, index: true },
    scheduledFor: Date,
    sentAt: Date,
    providerId: String,
    createdAt: { type: Date, required: true },
    updatedAt: Date,
  },
  { versionKey: false, minimize: false },
);

export const OutboundMessage = model('OutboundMessage', outboundMessageSchema, 'outbound_messages');
