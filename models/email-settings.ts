import { model, Schema } from 'mongoose';

/** The caps and send window of marketing email (api: PUT /v1/settings/email); one document, `_id` "email". */
const emailSettingsSchema = new Schema(
  {
    _id: { type: String, required: true },
    maxPerDay: Number,
    maxPerWeek: Number,
    sendWindow: { type: new Schema({ days: [Number], from: String, to: String }, { _id: false }), default: undefined },
    timeZone: String,
    updatedAt: Date,
  },
  { versionKey: false },
);

export const EmailSettings = model('EmailSettings', emailSettingsSchema, 'settings');
