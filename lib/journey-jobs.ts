import type { JourneyJobKind } from '../domain/journeys/jobs';
import { chunkCount, chunkOf, sumChunks } from '../domain/journeys/jobs';
import { JourneyJob, JourneyJobChunk, JourneyJobTargets } from '../models/journey-job';
import { journeyJobWorkflowId } from '../workflows/journey-job';
import type { journeyJobWorkflow } from '../workflows/journey-job';
import type { DeliveryTarget } from './deliver-events';
import { newId } from './ids';

/** Stores a new job's targets a chunk to a document; returns their number. */
export async function storeJobTargets(jobId: string, targets: readonly string[]): Promise<{ total: number }> {
  const chunks = chunkCount(targets.length);
  if (chunks) await JourneyJobTargets.insertMany(Array.from({ length: chunks }, (_, n) => ({ _id: `${jobId}:${n}`, jobId, targets: chunkOf(targets, n) })));
  return { total: targets.length };
}

/** The targets of one chunk of a job (undefined: no such chunk). */
export async function jobChunkTargets(jobId: string, chunk: number): Promise<string[] | undefined> {
  return (await JourneyJobTargets.findOne({ _id: `${jobId}:${chunk}` }).lean())?.targets;
}

/** Records a job (with its targets, when the request names them) and starts its workflow; the HTTP request ends there. */
export async function startJourneyJob(target: DeliveryTarget, journeyId: string, kind: JourneyJobKind, request: Record<string, unknown>, targets?: string[]): Promise<string> {
  const jobId = newId('job');
  // The targets first: a job on record always has them.
  const stored = targets ? await storeJobTargets(jobId, [...new Set(targets)]) : {};
  await JourneyJob.create({ _id: jobId, journeyId, kind, request, ...stored, status: 'running', createdAt: new Date() });
  try {
    await target.client.workflow.start<typeof journeyJobWorkflow>('journeyJobWorkflow', {
      workflowId: journeyJobWorkflowId(jobId),
      taskQueue: target.taskQueue,
      args: [{ jobId }],
      staticSummary: `${kind} of journey ${journeyId}`,
    });
  } catch (err) {
    await JourneyJob.updateOne({ _id: jobId }, { $set: { status: 'failed', failureReason: 'could not be started', finishedAt: new Date() } });
    throw err;
  }
  return jobId;
}

/** A job as its chunks left it: targets, what was done to them so far, every skip and rejection. */
export async function journeyJobProgress(journeyId: string, jobId: string) {
  const job = await JourneyJob.findOne({ _id: jobId, journeyId }).lean();
  if (!job) return undefined;
  const progress = sumChunks(await JourneyJobChunk.find({ jobId }).lean());
  return {
    jobId: job._id,
    journeyId: job.journeyId,
    kind: job.kind,
    status: job.status,
    total: job.total ?? job.targets?.length ?? null,
    done: progress.done,
    ...progress.counts,
    skipped: progress.skipped,
    rejected: progress.rejected,
    createdAt: job.createdAt.toISOString(),
    ...(job.finishedAt ? { finishedAt: job.finishedAt.toISOString() } : {}),
    ...(job.failureReason ? { failureReason: job.failureReason } : {}),
  };
}
