import { ActivityFailure, CancellationScope, continueAsNew, defineQuery, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface ImportProgress {
  status: 'running' | 'completed' | 'failed';
  total: number;
  done: number;
  failed: number;
  duplicates: number;
  chunks: number;
  chunksDone: number;
}

export interface ImportWorkflowInput {
  importId: string;
  chunks: number;
  total: number;
  /** Carried over a continue-as-new: the next chunk and the counts so far. */
  next?: number;
  progress?: ImportProgress;
  /** Chunks per run before continuing as new (tests set it low). */
  chunksPerRun?: number;
}

export const importProgressQuery = defineQuery<ImportProgress>('progress');

/** Three activity events per chunk: 200 chunks keep a run far below Temporal's history limits. */
export const CHUNKS_PER_RUN = 200;

export function importWorkflowId(importId: string): string {
  return `import:${importId}`;
}

// A chunk retries through a database or Temporal outage of several minutes,
// then the import is reported failed rather than hanging for ever.
const { importChunk } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});
const { finishImport } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

/**
 * One bulk import: its chunks one after the other, each written and counted
 * by an idempotent activity, so a crashed worker resumes at the chunk it was
 * on and nothing counts twice.
 */
export async function importWorkflow(input: ImportWorkflowInput): Promise<ImportProgress> {
  const progress: ImportProgress = input.progress ?? { status: 'running', total: input.total, done: 0, failed: 0, duplicates: 0, chunks: input.chunks, chunksDone: 0 };
  setHandler(importProgressQuery, () => progress);
  const perRun = input.chunksPerRun ?? CHUNKS_PER_RUN;
  let next = input.next ?? 0;
  for (let ran = 0; next < input.chunks; ran++) {
    if (ran >= perRun) await continueAsNew<typeof importWorkflow>({ ...input, next, progress });
    try {
      const r = await importChunk({ importId: input.importId, chunk: next });
      progress.done += r.done;
      progress.failed += r.failed;
      progress.duplicates += r.duplicates;
      progress.chunksDone = ++next;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const reason = isCancellation(err) ? 'cancelled' : `chunk ${next} failed: ${err.cause?.message ?? err.message}`;
      progress.status = 'failed';
      await CancellationScope.nonCancellable(() => finishImport({ importId: input.importId, status: 'failed', reason }));
      if (isCancellation(err)) throw err;
      return progress;
    }
  }
  await finishImport({ importId: input.importId, status: 'completed' });
  progress.status = 'completed';
  return progress;
}
