import { model, Schema } from 'mongoose';

/** A journey: its editable draft, and whether it runs (published versions live in journey_versions). */
const journeySchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    draft: { type: Schema.Types.Mixed },
    latestVersion: { type: Number, default: 0 },
    /** Set by pause/resume/stop: launches and new entries respect it. */
    state: { type: String, enum: ['active', 'paused', 'stopped'], default: 'active' },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

/** A published version, `_id` `<journeyId>:v<n>`: never changed once written. */
const journeyVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true, index: true },
    version: { type: Number, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    publishedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

/**
 * Where one account is on a journey, `_id` the workflow id: a projection the
 * journey workflow keeps current (instances lists and stats read it; the
 * account workflow finds the journeys to forward events to by accountKey).
 */
const journeyInstanceSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true, index: true },
    accountKey: { type: String, required: true, index: true },
    version: { type: Number, required: true },
    nodeId: { type: String, required: true },
    status: { type: String, required: true },
    history: { type: [Schema.Types.Mixed], default: [] },
    /** Where the last step in `history` stands (its run, its number there): a repeated write of it appends nothing. */
    stepRun: { type: String },
    stepNo: { type: Number },
    /** When the account last entered: where a dry run of it starts by default. */
    enteredAt: { type: Date },
    /** The launch job that started this entry, if any. */
    jobId: { type: String },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export const Journey = model('Journey', journeySchema, 'journeys');
export const JourneyVersion = model('JourneyVersion', journeyVersionSchema, 'journey_versions');
export const JourneyInstance = model('JourneyInstance', journeyInstanceSchema, 'journey_instances');
