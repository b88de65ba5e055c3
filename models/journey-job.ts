import { model, Schema } from 'mongoose';

/**
 * A launch, pause, resume, stop or migration of a journey's instances, done in
 * the background by `journey-job:<id>`: the request, how many targets it
 * resolved, and how it ended. The targets themselves are
 * in journey_job_targets: this document is read whole by every progress read
 * and every chunk, and FerretDB decodes all of a document even for a projection
 * (10,000 keys took about 110 ms of CPU a read).
 */
const journeyJobSchema = new Schema(
  {
    _id: { type: String, required: true },
    journeyId: { type: String, required: true, index: true },
    kind: { type: String, enum: ['launch', 'pause', 'resume', 'stop', 'migrate'], required: true },
    /** Launch: the version (jobs recorded before the targets moved out also hold the accounts asked for). Migrate: versions and node map. */
    request: { type: Schema.Types.Mixed, default: {} },
    /** Set once the targets are stored: their number (chunks of JOB_CHUNK). */
    total: Number,
    /** Jobs recorded before the targets moved to journey_job_targets keep them here. */
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

/** One chunk's targets (`_id: <jobId>:<n>`): account keys for a launch, instance ids otherwise. */
const journeyJobTargetsSchema = new Schema(
  {
    _id: { type: String, required: true },
    jobId: { type: String, required: true, index: true },
    targets: { type: [String], required: true },
  },
  { versionKey: false },
);

export const JourneyJob = model('JourneyJob', journeyJobSchema, 'journey_jobs');
export const JourneyJobChunk = model('JourneyJobChunk', journeyJobChunkSchema, 'journey_job_chunks');
export const JourneyJobTargets = model('JourneyJobTargets', journeyJobTargetsSchema, 'journey_job_targets');
