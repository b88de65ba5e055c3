import { model, Schema } from 'mongoose';

/**
 * One group-committed note of people, accounts and buying groups written, in
 * the order of `_id` (a sequence), so a process holding the audience snapshot
 * re-reads only what changed. `bucket` groups a thousand notes: old buckets
 * are dropped with one equality statement.
 */
const audienceChangeSchema = new Schema(
  {
    _id: { type: Number, required: true },
    bucket: { type: Number, required: true, index: true },
    people: { type: [String], default: undefined },
    accounts: { type: [String], default: undefined },
    buyingGroups: { type: [String], default: undefined },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const AudienceChange = model('AudienceChange', audienceChangeSchema, 'audience_changes');

/** Named counters, each advanced atomically by `$inc`. */
const sequenceSchema = new Schema({ _id: { type: String, required: true }, n: { type: Number, required: true } }, { versionKey: false });

export const Sequence = model('Sequence', sequenceSchema, 'sequences');
