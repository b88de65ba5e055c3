// Launch and stop through the API as a marketer does them: one request per
// action answered at once with a job, the job polled until it finishes, and
// the instances counted until they all wait (launch) or none waits (stop).
import { ratePerSecond } from '../stats';
import type { ScenarioContext } from '../scenario';
import type { BenchStack, WorkerProcessStack } from '../stack';
import type { SeedAccount } from './accounts';
import { awaitJob, JobAnswer, JobOutcome, postJob } from './jobs';
import { recorded } from './recorded';
import { settle, waitingCount } from './settle';

/** The API takes up to this many account keys in one launch request. */
const MAX_KEYS_PER_CALL = 10000;

/** Request sent → every job finished (the jobs' own finishedAt), from the phase's start. */
const jobsFinishedMs = (start: number, answers: JobAnswer[], jobs: JobOutcome[]) =>
  jobs.every((j) => j.finishedAfterMs !== null) ? Math.max(...jobs.map((j, i) => answers[i].sentAt + j.finishedAfterMs! - start)) : null;

export async function launchByApi(stack: BenchStack | WorkerProcessStack, journeyId: string, accounts: SeedAccount[], log: ScenarioContext['log'], what: string) {
  const answers: JobAnswer[] = [];
  const jobs: JobOutcome[] = [];
  const s = await settle(stack, what, log, () => waitingCount(journeyId), accounts.length, async () => {
    for (let i = 0; i < accounts.length; i += MAX_KEYS_PER_CALL) {
      answers.push(await postJob(stack, journeyId, 'launch', { accountKeys: accounts.slice(i, i + MAX_KEYS_PER_CALL).map((a) => a.key) }));
    }
    jobs.push(...(await Promise.all(answers.map((a) => awaitJob(stack, a)))));
  });
  const waiting = await recorded(journeyId, 'waiting', s);
  const jobMs = jobsFinishedMs(s.start, answers, jobs);
  const started = jobs.reduce((n, j) => n + (j.outcomes.started ?? 0), 0);
  log(`journeys: ${what}: answered in ${answers.map((a) => a.answerMs).join(', ')} ms, job finished after ${jobMs ?? '-'} ms (${started} started), all waiting after ${waiting.allMs ?? '-'} ms`);
  return {
    start: s.start,
    figures: {
      journeyId,
      accounts: accounts.length,
      requests: answers.length,
      answerMs: answers.map((a) => a.answerMs),
      workError: s.workError,
      jobs,
      jobsFinishedMs: jobMs,
      /** Starts accepted per second, request sent → job finished. */
      startsPerSecond: jobMs !== null ? ratePerSecond(started, jobMs) : null,
      allWaitingMs: waiting.allMs,
      allWaitingPolledMs: s.countedMs,
      /** Recorded waiting per second, request sent → the last recorded. */
      waitingPerSecond: waiting.allMs !== null ? ratePerSecond(waiting.count, waiting.allMs) : null,
      waiting: waiting.count,
      waitingWhenJobsFinished: waiting.whenWorkDone,
      recordedWaitingAfterMs: waiting.afterMs,
      peakRssMB: s.peakRssMB,
      peakCachedWorkflows: s.peakCachedWorkflows,
    },
  };
}

/** POST stop, its job polled until finished, the instances counted until none waits (`expected` were waiting). */
export async function stopByApi(stack: BenchStack | WorkerProcessStack, journeyId: string, expected: number, log: ScenarioContext['log'], what: string) {
  let answer: JobAnswer | undefined;
  let job: JobOutcome | undefined;
  const s = await settle(stack, what, log, async () => expected - (await waitingCount(journeyId)), expected, async () => {
    answer = await postJob(stack, journeyId, 'stop');
    job = await awaitJob(stack, answer);
  });
  const stopped = await recorded(journeyId, 'stopped', s);
  const jobMs = answer && job ? jobsFinishedMs(s.start, [answer], [job]) : null;
  log(`journeys: ${what}: stop answered in ${answer?.answerMs ?? '-'} ms, job finished after ${jobMs ?? '-'} ms, all stopped after ${stopped.allMs ?? '-'} ms`);
  return {
    answerMs: answer?.answerMs ?? null,
    workError: s.workError,
    job: job ?? null,
    jobFinishedMs: jobMs,
    wereWaiting: expected,
    allStoppedMs: stopped.allMs,
    noneWaitingPolledMs: s.countedMs,
    stillWaiting: expected - s.count,
    stopped: stopped.count,
    stoppedWhenJobFinished: stopped.whenWorkDone,
    stopsPerSecond: stopped.allMs !== null ? ratePerSecond(stopped.count, stopped.allMs) : null,
  };
}
