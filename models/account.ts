import { InferSchemaType, model, Schema } from 'mongoose';
import { activitySchema } from './activity';
import { notesAudienceChanges } from './audience-notes';

const accountSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    domain: { type: String, index: true },
    industry: String,
    employees: Number,
    annualRevenue: Number,
    fundingRound: String,
    country: String,
    tier: String,
    ownerId: { type: String, index: true },
    attributes: { type: Schema.Types.Mixed, default: {} },
    activity: { type: activitySchema, default: () => ({ total: 0, byType: {} }) },
    lastActivityAt: Date,
    /** Last event batch applied: a retried batch finds it and changes nothing. */
    lastBatchId: String,
    /** Saved segments this member is in, as last evaluated by its entity workflow. */
    segments: { type: [String], default: undefined },
    /** The segment revision it was last evaluated against (top level: an equality the embedded database pushes down). */
    segmentsRevision: { type: Number, index: true },
    score: Schema.Types.Mixed,
    engagement: Schema.Types.Mixed,
    recentlyActiveContacts: { type: [Schema.Types.Mixed], default: undefined },
    topInterests: { type: [Schema.Types.Mixed], default: undefined },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

accountSchema.plugin(notesAudienceChanges('accounts'));
export const Account = model('Account', accountSchema, 'accounts');
export type AccountDoc = InferSchemaType<typeof accountSchema> & { _id: string };
