import { model, Schema } from 'mongoose';

/**
 * A launch, pause, resume, stop or migration of a journey's instances, done in
 * the background by `journey-job:<id>`: the request, the targets it resolved
 * (account keys for a launch, instance ids otherwise) and how it ended.
 */
const journeyJobSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true, index: true },
    kind: { type: String, enum: ['launch', 'pause', 'resume', 'stop', 'migrate'], required: true },
    /** Launch: the version and the accounts asked for (none: the entry segment's members). Migrate: versions and node map. */
    request: { type: Schema.Types.Mixed, default: {} },
    targets: { type: [String], default: undefined },
    status: { type: String, enum: ['running', 'completed', 'failed'], required: true },
    failureReason: String,
    createdAt: { type: Date, required: true },
    finishedAt: Date,
  },
  { versionKey: false, minimize: false },
);

/** What one chunk of a job did (`_id: <jobId>:<n>`): written whole, so a retried chunk replaces its own result. */
const journeyJobChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    jobId: { type: String, required: true, index: true },
    done: { type: Number, required: true },
    counts: { type: Schema.Types.Mixed, default: {} },
    skipped: { type: [Schema.Types.Mixed], default: [] },
    rejected: { type: [Schema.Types.Mixed], default: [] },
  },
  { versionKey: false, minimize: false },
);

export const JourneyJob = model('JourneyJob', journeyJobSchema, 'journey_jobs');
export const JourneyJobChunk = model('JourneyJobChunk', journeyJobChunkSchema, 'journey_job_chunks');
