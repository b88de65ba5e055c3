// The journey job API as a client uses it: POST launch / stop answers 202 with
// a job id at once, GET /v1/journeys/:id/jobs/:jobId tells how far the job is.
import { expectStatus, waitForProgress } from '../scenario';
import type { AnyStack } from '../stack';
import { summarize } from '../stats';

/** Progress reads: often enough that a job's end is seen within a quarter second. */
const POLL_MS = 250;
/**
 * A job whose `done` has not grown for this long is stuck, not slow. Its next
 * chunk is an activity on the worker's one task queue, queued behind the
 * activities of the instances it just started or stopped: minutes on a busy machine.
 */
const STALL_MS = 600000;
/** A job that still moves is followed this long: a launch of 10,000 on a busy 2-core machine takes many minutes. */
const MAX_MS = 3600000;
/** Skips and rejections are counted; a few are kept to say why. */
const SAMPLES = 3;

export interface JobAnswer {
  journeyId: string;
  jobId: string;
  /** When the request was sent (this machine's clock, as the server's). */
  sentAt: number;
  /** The HTTP answer time of the POST. */
  answerMs: number;
}

export async function postJob(stack: AnyStack, journeyId: string, action: 'launch' | 'stop', body?: unknown): Promise<JobAnswer> {
  const sentAt = Date.now();
  const res = await stack.api('POST', `/v1/journeys/${journeyId}/${action}`, body);
  const answerMs = Date.now() - sentAt;
  expectStatus(res, [202], `POST /v1/journeys/:id/${action}`);
  if (res.body.status !== 'running' || typeof res.body.jobId !== 'string') throw new Error(`POST /v1/journeys/:id/${action}: unexpected answer ${JSON.stringify(res.body).slice(0, 200)}`);
  return { journeyId, jobId: res.body.jobId, sentAt, answerMs };
}

interface Progress {
  status: 'running' | 'completed' | 'failed';
  total: number | null;
  done: number;
  finishedAt?: string;
  failureReason?: string;
  skipped: unknown[];
  rejected: unknown[];
  [count: string]: unknown;
}

/** Reads the job's progress until it is no longer running (or stalls): its outcome and times. */
export async function awaitJob(stack: AnyStack, answer: JobAnswer) {
  const url = `/v1/journeys/${answer.journeyId}/jobs/${answer.jobId}`;
  const readMs: number[] = [];
  const seen: { last?: Progress } = {};
  let firstDoneAt: number | undefined;
  const settled = await waitForProgress(
    async () => {
      const s = Date.now();
      const res = await stack.api<Progress>('GET', url);
      readMs.push(Date.now() - s);
      expectStatus(res, [200], 'GET /v1/journeys/:id/jobs/:jobId');
      seen.last = res.body;
      if (res.body.done > 0) firstDoneAt ??= Date.now();
      // Growing until the end: a finished job counts one more than its last chunk.
      return res.body.status === 'running' ? res.body.done : res.body.done + 1;
    },
    () => seen.last !== undefined && seen.last.status !== 'running',
    { stallMs: STALL_MS, maxMs: MAX_MS, everyMs: POLL_MS },
  );
  const last: Progress = seen.last ?? { status: 'running', total: null, done: 0, skipped: [], rejected: [] };
  const { status, total, done, finishedAt, failureReason, skipped, rejected } = last;
  // Per outcome: started, alreadyRunning, alreadyEntered (launch); signalled (stop).
  const outcomes: Record<string, number> = Object.fromEntries(Object.entries(last).filter((e): e is [string, number] => typeof e[1] === 'number' && e[0] !== 'total' && e[0] !== 'done'));
  return {
    jobId: answer.jobId,
    status: settled.done ? status : `still ${status} (given up)`,
    ...(failureReason ? { failureReason } : {}),
    total,
    done,
    outcomes,
    skipped: skipped.length,
    rejected: rejected.length,
    ...(skipped.length || rejected.length ? { samples: [...skipped, ...rejected].slice(0, SAMPLES) } : {}),
    /** Request sent → the job's first chunk seen done (its progress read every POLL_MS). */
    firstChunkSeenAfterMs: firstDoneAt !== undefined ? firstDoneAt - answer.sentAt : null,
    /** Request sent → the job finished (its finishedAt). */
    finishedAfterMs: finishedAt ? Date.parse(finishedAt) - answer.sentAt : null,
    progressReadMs: summarize(readMs),
  };
}

export type JobOutcome = Awaited<ReturnType<typeof awaitJob>>;
