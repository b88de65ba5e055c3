/** Background work on a journey's instances (api: POST /v1/journeys/:id/launch|pause|resume|stop|migrate). */
export type JourneyJobKind = 'launch' | 'pause' | 'resume' | 'stop' | 'migrate';

/** Targets per activity call: a retried chunk redoes at most this many idempotent starts or signals. */
export const JOB_CHUNK = 200;

export const chunkCount = (targets: number) => Math.ceil(targets / JOB_CHUNK);
export const chunkOf = <T>(targets: readonly T[], n: number): T[] => targets.slice(n * JOB_CHUNK, (n + 1) * JOB_CHUNK);

/** The state a steering job gives the journey and each of its instances. */
export const STEERED_STATE = { pause: 'paused', resume: 'active', stop: 'stopped' } as const;

export interface JobChunkResult {
  done: number;
  counts: Record<string, number>;
  skipped: { accountKey: string; nodeId?: string; reason: string }[];
  rejected: { accountKey: string; error: string }[];
}

/** A job's progress from its chunks' results: totals per outcome, every skip and rejection. */
export function sumChunks(chunks: readonly JobChunkResult[]) {
  const counts: Record<string, number> = {};
  for (const c of chunks) for (const [k, v] of Object.entries(c.counts)) counts[k] = (counts[k] ?? 0) + v;
  return {
    done: chunks.reduce((n, c) => n + c.done, 0),
    counts,
    skipped: chunks.flatMap((c) => c.skipped),
    rejected: chunks.flatMap((c) => c.rejected),
  };
}
