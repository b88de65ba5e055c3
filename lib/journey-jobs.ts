import type { JourneyJobKind } from '../domain/journeys/jobs';
import { sumChunks } from '../domain/journeys/jobs';
import { JourneyJob, JourneyJobChunk } from '../models/journey-job';
import { journeyJobWorkflowId } from '../workflows/journey-job';
import type { journeyJobWorkflow } from '../workflows/journey-job';
import type { DeliveryTarget } from './deliver-events';
import { newId } from './ids';

/** Records a job and starts its workflow; the HTTP request ends there. */
export async function startJourneyJob(target: DeliveryTarget, journeyId: string, kind: JourneyJobKind, request: Record<string, unknown>, targets?: string[]): Promise<string> {
  const jobId = newId('job');
  await JourneyJob.create({ _id: jobId, journeyId, kind, request, targets: targets ? [...new Set(targets)] : undefined, status: 'running', createdAt: new Date() });
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
    total: job.targets?.length ?? null,
    done: progress.done,
    ...progress.counts,
    skipped: progress.skipped,
    rejected: progress.rejected,
    createdAt: job.createdAt.toISOString(),
    ...(job.finishedAt ? { finishedAt: job.finishedAt.toISOString() } : {}),
    ...(job.failureReason ? { failureReason: job.failureReason } : {}),
  };
}
