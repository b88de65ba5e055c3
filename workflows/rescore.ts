import { defineQuery, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { KeptCountFollower } from '../domain/people-counts';
import { followWhileAsking } from './follow-while-asking';
import { signalRefreshAll } from './refresh-fan-out';

export interface RescoreProgress {
  version: number;
  /** `superseded`: a newer model was saved first; its own re-score takes over. */
  status: 'running' | 'completed' | 'superseded';
  /** People to re-score: those counted at the start, corrected by each exact tally (merged people drop out). */
  total: number;
  done: number;
  startedAt: string;
  finishedAt?: string;
}

export const rescoreProgressQuery = defineQuery<RescoreProgress>('progress');

/** Patch: the re-score ends when a newer model supersedes it, and stops waiting for people merged away. */
export const RESCORE_ENDS = 'rescore-ends';

/** Patch: the fan-out is paced by the refreshes it starts, so progress is followed while it asks, and a newer model stops the asking. */
export const FOLLOW_WHILE_ASKING = 'rescore-follows-while-asking';

/**
 * Patch: the exact tally gets minutes, not one. It decodes everyone on the
 * embedded database: at 100,000 people, under the re-score's own load, it ran
 * past a minute at every attempt and the re-score never reported completed.
 */
export const PATIENT_TALLY = 'rescore-patient-tally';

/**
 * Patch: the fan-out starts at once, with the people moved onto the model
 * before as the total until an exact tally corrects it. Tallying first kept
 * everyone waiting: at 100,000 people, under load, it took 131 s.
 */
export const ASK_AT_ONCE = 'rescore-asks-at-once';

/** Polls without progress before an exact tally; doubled after each tally that finds people still behind. */
const STALL_POLLS = 5;

const { countRescored, rescoreStatus, tallyRescored } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });
const { tallyRescored: tallyRescoredPatiently } = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes' });

/** The exact tally, with the time the history it runs in allows it. */
const exactTally = (input: { version: number }) => (patched(PATIENT_TALLY) ? tallyRescoredPatiently(input) : tallyRescored(input));

/** Per task queue, like the sweeper: deployments sharing a namespace keep their own model versions. */
export function rescoreWorkflowId(taskQueue: string, version: number): string {
  return `rescore:${taskQueue}:model-v${version}`;
}

type RescoreInput = { version: number; pollSeconds?: number };

/**
 * Re-scores everyone after the scoring model changed, in the background: each
 * entity workflow is asked to refresh (ingestion goes on meanwhile), then
 * progress is followed until every person carries the new version, or a
 * newer model supersedes this one.
 */
export async function rescoreWorkflow(input: RescoreInput): Promise<RescoreProgress> {
  const progress: RescoreProgress = { version: input.version, status: 'running', total: 0, done: 0, startedAt: new Date().toISOString() };
  setHandler(rescoreProgressQuery, () => progress);
  if (patched(FOLLOW_WHILE_ASKING)) return askAndFollow(input, progress);
  const { people } = await signalRefreshAll({ version: input.version });
  progress.total = people;
  for (;;) {
    // Inside the loop, so runs already polling when this shipped switch at their next poll.
    if (patched(RESCORE_ENDS)) return followToTheEnd(input, progress);
    progress.done = Math.min(people, await countRescored({ version: input.version }));
    if (progress.done >= people) break;
    await sleep(`${input.pollSeconds ?? 2} seconds`);
  }
  return finish(progress, 'completed');
}

/**
 * The fan-out wakes entities only as fast as their refreshes run, so it lasts
 * about as long as the re-score: progress is followed while it asks, and the
 * asking ends with the re-score (a newer model supersedes it). A failed
 * fan-out fails the re-score. The total starts as the people the kept count
 * moved onto the model before (it also counts people merged away since, and
 * none for a first model); the exact tallies correct it.
 */
async function askAndFollow(input: RescoreInput, progress: RescoreProgress): Promise<RescoreProgress> {
  if (patched(ASK_AT_ONCE)) {
    progress.total = await countRescored({ version: input.version - 1 });
  } else {
    const start = await exactTally({ version: input.version });
    progress.total = start.people;
    progress.done = start.rescored;
  }
  return followWhileAsking(() => signalRefreshAll({ version: input.version }), () => followToTheEnd(input, progress));
}

/**
 * Polls the cheap count of people on the version; it also counts people who
 * were merged away after carrying it, or who are new, so it only says when to
 * take the exact tally over the people who exist: when the people behind at the
 * last tally should all have moved, or when the count stops moving (people
 * merged away before their re-score never move).
 */
async function followToTheEnd(input: RescoreInput, progress: RescoreProgress): Promise<RescoreProgress> {
  const counted = new KeptCountFollower(STALL_POLLS);
  for (;;) {
    const now = await rescoreStatus({ version: input.version });
    if (now.activeVersion !== input.version) return finish(progress, 'superseded');
    progress.done = counted.done(now.rescored, progress.total);
    if (counted.poll(now.rescored, progress.total)) {
      const tally = await exactTally({ version: input.version });
      progress.total = tally.people;
      progress.done = tally.rescored;
      if (tally.rescored >= tally.people) return finish(progress, 'completed');
      counted.stillBehind(tally.people - tally.rescored, now.rescored);
    }
    await sleep(`${input.pollSeconds ?? 2} seconds`);
  }
}

function finish(progress: RescoreProgress, status: 'completed' | 'superseded'): RescoreProgress {
  progress.status = status;
  progress.finishedAt = new Date().toISOString();
  return progress;
}
