import { InferSchemaType, model, Schema } from 'mongoose';
import { activitySchema } from './activity';
import { notesAudienceChanges } from './audience-notes';

const personSchema = new Schema(
  {
    _id: { type: String, required: true },
    email: { type: String, index: true },
    firstName: String,
    lastName: String,
    jobTitle: String,
    department: String,
    seniority: String,
    accountKey: { type: String, index: true },
    /** Changed through lib/consent-store only, so every change is recorded with its source and audited. */
    consent: { email: Boolean, tracking: Boolean, topics: Schema.Types.Mixed },
    attributes: { type: Schema.Types.Mixed, default: {} },
    activity: { type: activitySchema, default: () => ({ total: 0, byType: {} }) },
    lastActivityAt: Date,
    lastBatchId: String,
    /** Recent interactions (bounded by the model's longest window), so scoring reads no interactions. */
    recentEvents: { type: [Schema.Types.Mixed], default: [] },
    /** Score with breakdown and status (domain/scoring). */
    score: Schema.Types.Mixed,
    /** Top level so "how many are scored with version v" is an equality the embedded database pushes down. */
    scoreModelVersion: { type: Number, index: true },
    /** What the account roll-up needs of this contact. */
    summary: Schema.Types.Mixed,
    /** Saved segments this member is in, as last evaluated by its entity workflow. */
    segments: { type: [String], default: undefined },
    /** The segment revision it was last evaluated against (top level: an equality the embedded database pushes down). */
    segmentsRevision: { type: Number, index: true },
    /** The lead status the CRM last sent back (POST /v1/crm-connections/:key/inbound); written by lib/crm-inbound only. */
    crm: { type: new Schema({ status: String, connection: String, updatedAt: Date }, { _id: false }), default: undefined },
    /** When a lead transfer first handed this person to the CRM (lib/sales-handover): their nurture streams let them go. */
    salesHandoverAt: Date,
    /** Set when this person was merged into another (One ID); the record is kept. */
    mergedInto: { type: String, index: true },
    mergedAt: Date,
  },
  { timestamps: true, versionKey: false, minimize: false },
);

personSchema.plugin(notesAudienceChanges('people'));
export const Person = model('Person', personSchema, 'people');
export type PersonDoc = InferSchemaType<typeof personSchema> & { _id: string };
