import { defineQuery, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { KeptCountFollower } from '../domain/people-counts';
import { followWhileAsking } from './follow-while-asking';
import { signalRefreshAll } from './refresh-fan-out';

export interface SegmentRefreshProgress {
  revision: number;
  status: 'running' | 'completed' | 'superseded';
  total: number;
  evaluated: number;
  members?: Record<string, number>;
}

export const segmentRefreshProgressQuery = defineQuery<SegmentRefreshProgress>('progress');

/** Patch: the fan-out is paced, so a saved segment's evaluation shows its total first and follows progress while it asks. */
export const SEGMENTS_FOLLOW_WHILE_ASKING = 'segments-follow-while-asking';

/** Patch: progress is followed by the count the writes keep (one read), and checked by an exact count when that says done or stops moving. */
export const SEGMENTS_COUNTED = 'segments-progress-counted';

/**
 * Patch: the fan-out starts at once, with the people evaluated against the
 * revision before as the total until the asking has counted everyone.
 * Counting everyone first kept entries and journeys waiting: at 100,000
 * people, under load, about 100 s.
 */
export const SEGMENTS_ASK_AT_ONCE = 'segments-ask-at-once';

/** Polls without progress before an exact count; doubled after each exact count that finds people still behind. */
const STALL_POLLS = 5;

const { segmentProgress, segmentEvaluations, segmentMemberCounts, countLivePeople, countEvaluated } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes' });

/** Per task queue and revision: one evaluation of everyone per change of the saved segments. */
export function segmentRefreshWorkflowId(taskQueue: string, revision: number): string {
  return `segments:${taskQueue}:rev-${revision}`;
}

/** How long a scheduled refresh waits for member counts to settle before reporting them. */
const SETTLE_POLLS = 120;

type RefreshInput = { revision: number; pollSeconds?: number };

/**
 * Evaluates every saved segment for everyone: each entity workflow is asked to
 * refresh (it records entries and exits itself). After a segment was saved or
 * deleted (a new revision) it reports progress until everyone carries that
 * revision; as the recurring safety refresh (revision 0) it waits until the
 * member counts stop moving. Either way the member counts end in its result,
 * so the Schedule's run history shows them.
 */
export async function segmentRefreshWorkflow(input: RefreshInput): Promise<SegmentRefreshProgress> {
  const progress: SegmentRefreshProgress = { revision: input.revision, status: 'running', total: 0, evaluated: 0 };
  setHandler(segmentRefreshProgressQuery, () => progress);
  const reason = input.revision ? `segments revision ${input.revision}` : 'scheduled segment refresh';
  if (input.revision && patched(SEGMENTS_COUNTED)) {
    // The revision before is the estimate: a superseded or first evaluation makes it short, which the asking's own count corrects.
    progress.total = patched(SEGMENTS_ASK_AT_ONCE) ? await countEvaluated({ revision: input.revision - 1 }) : await countLivePeople();
    const ended = await followWhileAsking(() => signalRefreshAll({ reason }), (asked) => followCounted(input, progress, asked));
    return ended.status === 'superseded' ? ended : complete(progress);
  }
  if (input.revision && patched(SEGMENTS_FOLLOW_WHILE_ASKING)) {
    progress.total = await countLivePeople();
    const ended = await followWhileAsking(() => signalRefreshAll({ reason }), (asked) => followRevision(input, progress, asked));
    return ended.status === 'superseded' ? ended : complete(progress);
  }
  const { people } = await signalRefreshAll({ reason });
  progress.total = people;
  if (input.revision) {
    for (;;) {
      const now = await segmentProgress();
      if (now.revision !== input.revision) return superseded(progress);
      progress.evaluated = Math.min(people, now.evaluated);
      if (progress.evaluated >= people) break;
      await poll(input);
    }
  } else {
    let last = '';
    for (let i = 0; i < SETTLE_POLLS; i++) {
      await poll(input);
      const counts = JSON.stringify(await segmentMemberCounts());
      if (counts === last) break;
      last = counts;
    }
  }
  return complete(progress);
}

/** Until everyone the fan-out asked carries the revision (the total becomes that count once the asking ends), or a newer revision supersedes it. */
async function followRevision(input: RefreshInput, progress: SegmentRefreshProgress, asked: Promise<{ people: number }>): Promise<SegmentRefreshProgress> {
  let askedPeople: number | undefined;
  // A failed asking fails the job through followWhileAsking; here only its count matters.
  asked.then(({ people }) => (askedPeople = people), () => undefined);
  for (;;) {
    const now = await segmentProgress();
    if (now.revision !== input.revision) return superseded(progress);
    if (askedPeople !== undefined) progress.total = askedPeople;
    progress.evaluated = Math.min(progress.total, now.evaluated);
    if (askedPeople !== undefined && now.evaluated >= askedPeople) return progress;
    await poll(input);
  }
}

/**
 * Until everyone the fan-out asked carries the revision, or a newer revision
 * supersedes it. Polls the kept count; once the asking has ended, an exact
 * count decides, taken when the kept count has moved by as many as were behind
 * at the last exact count, or has stopped moving.
 */
async function followCounted(input: RefreshInput, progress: SegmentRefreshProgress, asked: Promise<{ people: number }>): Promise<SegmentRefreshProgress> {
  let askedPeople: number | undefined;
  // A failed asking fails the job through followWhileAsking; here only its count matters.
  asked.then(({ people }) => (askedPeople = people), () => undefined);
  const counted = new KeptCountFollower(STALL_POLLS);
  for (;;) {
    const now = await segmentEvaluations();
    if (now.revision !== input.revision) return superseded(progress);
    const waitFor = askedPeople;
    if (waitFor !== undefined) progress.total = waitFor;
    progress.evaluated = counted.done(now.evaluated, progress.total);
    if (counted.poll(now.evaluated, waitFor) && waitFor !== undefined) {
      const exact = await segmentProgress();
      if (exact.revision !== input.revision) return superseded(progress);
      progress.evaluated = Math.min(waitFor, exact.evaluated);
      if (exact.evaluated >= waitFor) return progress;
      counted.stillBehind(waitFor - exact.evaluated, now.evaluated);
    }
    await poll(input);
  }
}

function superseded(progress: SegmentRefreshProgress): SegmentRefreshProgress {
  progress.status = 'superseded';
  return progress;
}

const poll = (input: RefreshInput) => sleep(`${input.pollSeconds ?? 2} seconds`);

async function complete(progress: SegmentRefreshProgress): Promise<SegmentRefreshProgress> {
  progress.members = await segmentMemberCounts();
  progress.status = 'completed';
  return progress;
}
