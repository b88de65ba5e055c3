import { model, Schema } from 'mongoose';

/**
 * One group-committed note of people, accounts and buying groups written,
 * filed by the time slot it was written in (lib/audience-feed), so a process
 * holding the audience snapshot re-reads only what changed. A slot is read,
 * and dropped when old, with one equality statement.
 */
const audienceChangeSchema = new Schema(
  {
    slot: { type: Number, required: true, index: true },
    people: { type: [String], default: undefined },
    accounts: { type: [String], default: undefined },
    buyingGroups: { type: [String], default: undefined },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const AudienceChange = model('AudienceChange', audienceChangeSchema, 'audience_changes');
