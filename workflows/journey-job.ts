import { ActivityFailure, ActivityOptions, continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface JourneyJobInput {
  jobId: string;
  /** Carried over a continue-as-new: the chunk count and the next chunk. */
  chunks?: number;
  next?: number;
}

/** Three activity events per chunk: 200 chunks keep a run far below Temporal's history limits. */
const CHUNKS_PER_RUN = 200;

export function journeyJobWorkflowId(jobId: string): string {
  return `journey-job:${jobId}`;
}

// A chunk retries through a database or Temporal outage of several minutes, then the job is reported failed.
const CHUNK_OPTIONS: ActivityOptions = { startToCloseTimeout: '5 minutes', retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 } };
const { prepareJourneyJob, runJourneyJobChunk } = proxyActivities<Activities>(CHUNK_OPTIONS);
const { finishJourneyJob } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

/**
 * A launch, pause, resume, stop or migration of many instances, outside the
 * HTTP request: its targets are resolved once, then worked through in chunks
 * of idempotent starts or signals, so a crashed worker resumes at the chunk it
 * was on. Progress is each chunk's stored result.
 */
export async function journeyJobWorkflow(input: JourneyJobInput): Promise<void> {
  try {
    const chunks = input.chunks ?? (await prepareJourneyJob({ jobId: input.jobId })).chunks;
    for (let next = input.next ?? 0, ran = 0; next < chunks; next++, ran++) {
      if (ran >= CHUNKS_PER_RUN) await continueAsNew<typeof journeyJobWorkflow>({ jobId: input.jobId, chunks, next });
      await runJourneyJobChunk.executeWithOptions({ ...CHUNK_OPTIONS, summary: `chunk ${next + 1} of ${chunks}` }, [{ jobId: input.jobId, chunk: next }]);
    }
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await finishJourneyJob({ jobId: input.jobId, status: 'failed', reason: err.cause?.message ?? err.message });
    return;
  }
  await finishJourneyJob({ jobId: input.jobId, status: 'completed' });
}
