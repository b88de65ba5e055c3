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
    /** What sent it (`nurture:<streamId>`) and which of its steps (the campaign): top level, so its stats are one equality read. */
    origin: { type: String, index: true },
    step: String,
    status: { type: String, enum: STATUSES, required: true, default: 'pending', index: true },
    reason: String,
    attempts: { type: [attemptSchema], default: [] },
    /** Transient failures since it was recorded or re-driven: the back-off and the dead line count these. */
    failures: { type: Number, default: 0 },
    /** Its place in its lane's queue (domain/delivery/lanes): ready, later, or held by a claim; unset once final. */
    queue: { type: String, index: true },
    scheduledFor: Date,
    /** When a cap or the send window last put it off: it stays after it is sent, so stats count the casts that were deferred. */
    deferredAt: Date,
    /** The first recorded click of an email (not a scanner's). */
    clickedAt: Date,
    sentAt: Date,
    providerId: String,
    createdAt: { type: Date, required: true },
    updatedAt: Date,
  },
  { versionKey: false, minimize: false },
);

export const OutboundMessage = model('OutboundMessage', outboundMessageSchema, 'outbound_messages');
