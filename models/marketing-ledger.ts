import { model, Schema } from 'mongoose';

/**
 * One person's marketing email of the last week, sent or being sent, `_id`
 * the person id. The caps are decided on it by a compare-and-set on `v`, so
 * two email batches running side by side cannot both take a person's last
 * send of the day.
 */
const marketingLedgerSchema = new Schema(
  {
    _id: { type: String, required: true },
    v: { type: Number, required: true },
    sends: { type: [{ _id: false, m: { type: String, required: true }, at: { type: Number, required: true } }], default: [] },
  },
  { versionKey: false, minimize: false },
);

export const MarketingLedger = model('MarketingLedger', marketingLedgerSchema, 'marketing_ledgers');
