import { ApplicationFailure } from '@temporalio/activity';
import { chunkCount, chunkOf, JobChunkResult, JourneyJobKind, STEERED_STATE } from '../domain/journeys/jobs';
import type { DeliveryTarget } from '../lib/deliver-events';
import { findEach, writeEach } from '../lib/each-statement';
import { ACTIVE, publishedVersion, startJourney, StartOutcome, steerInstance } from '../lib/journey-launch';
import { jobChunkTargets, storeJobTargets } from '../lib/journey-jobs';
import { Account } from '../models/account';
import { Journey, JourneyInstance } from '../models/journey';
import { JourneyJob, JourneyJobChunk, JourneyJobTargets } from '../models/journey-job';
import { SegmentMember } from '../models/segment-membership';
import { migrateSignal } from '../workflows/journey-messages';

interface LaunchRequest {
  version: number;
}
interface MigrateRequest {
  fromVersion: number;
  toVersion: number;
  nodeMap: Record<string, string>;
}
type Job = { _id: string; journeyId: string; kind: JourneyJobKind; request: unknown; total?: number | null; targets?: string[] | null };

async function jobOrFail(jobId: string): Promise<Job> {
  const job = await JourneyJob.findOne({ _id: jobId }).lean();
  if (!job) throw ApplicationFailure.nonRetryable(`journey job '${jobId}' does not exist`, 'UnknownJob');
  return job as Job;
}

/** Launch without accounts named (those are stored with the job): the entry segment's members. Others: the instances that run, whatever node they are at. */
async function resolveTargets(job: Job): Promise<string[]> {
  if (job.kind === 'launch') {
    const request = job.request as LaunchRequest;
    const definition = await publishedVersion(job.journeyId, request.version);
    if (!definition || !('segmentId' in definition.entry)) return [];
    return (await SegmentMember.find({ segmentId: definition.entry.segmentId }, { memberId: 1 }).lean()).map((m) => m.memberId);
  }
  const instances = (await JourneyInstance.find({ journeyId: job.journeyId }, { status: 1, version: 1 }).lean()).filter((i) => ACTIVE.has(i.status));
  const fromVersion = job.kind === 'migrate' ? (job.request as MigrateRequest).fromVersion : undefined;
  return instances.filter((i) => fromVersion === undefined || i.version === fromVersion).map((i) => i._id);
}

// Jobs recorded before the targets moved out of the job's document keep them there.
async function chunkTargets(job: Job, chunk: number): Promise<string[]> {
  if (job.targets) return chunkOf(job.targets, chunk);
  const targets = await jobChunkTargets(job._id, chunk);
  if (!targets) throw ApplicationFailure.nonRetryable(`journey job '${job._id}' has no chunk ${chunk}`, 'UnknownChunk');
  return targets;
}

const emptyResult = (done: number): JobChunkResult => ({ done, counts: {}, skipped: [], rejected: [] });
const accountOf = (workflowId: string) => workflowId.split(':').slice(2).join(':');

async function launchChunk(target: DeliveryTarget, job: Job, accountKeys: string[]): Promise<JobChunkResult> {
  const result = emptyResult(accountKeys.length);
  const request = job.request as LaunchRequest;
  const [journey, definition] = await Promise.all([Journey.findOne({ _id: job.journeyId }).lean(), publishedVersion(job.journeyId, request.version)]);
  if (!journey || !definition || journey.state === 'stopped') {
    result.rejected = accountKeys.map((accountKey) => ({ accountKey, error: 'the journey is stopped' }));
    return result;
  }
  const live = { id: journey._id, name: journey.name, version: request.version, definition, state: journey.state };
  const known = new Set((await findEach(accountKeys, (key) => Account.find({ _id: key }, { _id: 1 }).lean())).map((a) => a._id));
  const outcomes: Record<StartOutcome, number> = { started: 0, alreadyRunning: 0, alreadyEntered: 0 };
  result.rejected = accountKeys.filter((k) => !known.has(k)).map((accountKey) => ({ accountKey, error: 'unknown account' }));
  await writeEach(
    accountKeys.filter((k) => known.has(k)),
    async (accountKey) => void outcomes[await startJourney(target, live, accountKey, { jobId: job._id })]++,
  );
  result.counts = outcomes;
  return result;
}

async function steerChunk(target: DeliveryTarget, kind: 'pause' | 'resume' | 'stop', workflowIds: string[]): Promise<JobChunkResult> {
  const result = emptyResult(workflowIds.length);
  let signalled = 0;
  await writeEach(workflowIds, async (id) => {
    if (await steerInstance(target, id, STEERED_STATE[kind])) signalled++;
    else result.skipped.push({ accountKey: accountOf(id), reason: 'the instance had already ended' });
  });
  result.counts = { signalled };
  return result;
}

/** Every instance of the version is asked; each maps the node it is really at, and one at an unmapped node stays (its history says so). */
async function migrateChunk(target: DeliveryTarget, job: Job, workflowIds: string[]): Promise<JobChunkResult> {
  const request = job.request as MigrateRequest;
  const definition = await publishedVersion(job.journeyId, request.toVersion);
  if (!definition) throw ApplicationFailure.nonRetryable(`version ${request.toVersion} does not exist`, 'UnknownVersion');
  const result = emptyResult(workflowIds.length);
  const rows = new Map((await findEach(workflowIds, (id) => JourneyInstance.find({ _id: id }, { nodeId: 1 }).lean())).map((r) => [r._id, r.nodeId]));
  let signalled = 0;
  await writeEach(workflowIds, async (id) => {
    const nodeId = rows.get(id) ?? '?';
    if (!request.nodeMap[nodeId]) result.skipped.push({ accountKey: accountOf(id), nodeId, reason: `node '${nodeId}' is not mapped` });
    try {
      await target.client.workflow.getHandle(id).signal(migrateSignal, { ...request, definition });
      signalled++;
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  });
  result.counts = { signalled, migrated: workflowIds.length - result.skipped.length };
  return result;
}

export function makeJourneyJobActivities(target: DeliveryTarget) {
  return {
    /** Resolves and stores the job's targets once (a retry finds them stored); returns the number of chunks. */
    async prepareJourneyJob(input: { jobId: string }): Promise<{ chunks: number }> {
      const job = await jobOrFail(input.jobId);
      if (job.total != null) return { chunks: chunkCount(job.total) };
      // A job recorded before the targets moved out of its document.
      if (job.targets) return { chunks: chunkCount(job.targets.length) };
      // What an earlier attempt stored goes first, so every chunk comes from the same resolution.
      await JourneyJobTargets.deleteMany({ jobId: job._id });
      const stored = await storeJobTargets(job._id, await resolveTargets(job));
      await JourneyJob.updateOne({ _id: job._id }, { $set: stored });
      return { chunks: chunkCount(stored.total) };
    },

    /** One chunk of starts or signals, each idempotent; the chunk's result replaces what an earlier attempt wrote. */
    async runJourneyJobChunk(input: { jobId: string; chunk: number }): Promise<{ done: number }> {
      const job = await jobOrFail(input.jobId);
      const targets = await chunkTargets(job, input.chunk);
      const result =
        job.kind === 'launch' ? await launchChunk(target, job, targets) : job.kind === 'migrate' ? await migrateChunk(target, job, targets) : await steerChunk(target, job.kind, targets);
      await JourneyJobChunk.replaceOne({ _id: `${job._id}:${input.chunk}` }, { jobId: job._id, ...result }, { upsert: true });
      return { done: result.done };
    },

    async finishJourneyJob(input: { jobId: string; status: 'completed' | 'failed'; reason?: string }): Promise<void> {
      await JourneyJob.updateOne({ _id: input.jobId }, { $set: { status: input.status, finishedAt: new Date(), ...(input.reason ? { failureReason: input.reason } : {}) } });
    },
  };
}
