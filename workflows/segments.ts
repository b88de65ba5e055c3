import { defineQuery, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface SegmentRefreshProgress {
  revision: number;
  status: 'running' | 'completed' | 'superseded';
  total: number;
  evaluated: number;
  members?: Record<string, number>;
}

export const segmentRefreshProgressQuery = defineQuery<SegmentRefreshProgress>('progress');

const { signalRefreshAll } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '1 minute' });
const { segmentProgress, segmentMemberCounts } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes' });

/** Per task queue and revision: one evaluation of everyone per change of the saved segments. */
export function segmentRefreshWorkflowId(taskQueue: string, revision: number): string {
  return `segments:${taskQueue}:rev-${revision}`;
}

/** How long a scheduled refresh waits for member counts to settle before reporting them. */
const SETTLE_POLLS = 120;

/**
 * Evaluates every saved segment for everyone: each entity workflow is asked to
 * refresh (it records entries and exits itself). After a segment was saved or
 * deleted (a new revision) it reports progress until everyone carries that
 * revision; as the recurring safety refresh (revision 0) it waits until the
 * member counts stop moving. Either way the member counts end in its result,
 * so the Schedule's run history shows them.
 */
export async function segmentRefreshWorkflow(input: { revision: number; pollSeconds?: number }): Promise<SegmentRefreshProgress> {
  const progress: SegmentRefreshProgress = { revision: input.revision, status: 'running', total: 0, evaluated: 0 };
  setHandler(segmentRefreshProgressQuery, () => progress);
  const poll = () => sleep(`${input.pollSeconds ?? 2} seconds`);
  const { people } = await signalRefreshAll({ reason: input.revision ? `segments revision ${input.revision}` : 'scheduled segment refresh' });
  progress.total = people;
  if (input.revision) {
    for (;;) {
      const now = await segmentProgress();
      if (now.revision !== input.revision) {
        progress.status = 'superseded';
        return progress;
      }
      progress.evaluated = Math.min(people, now.evaluated);
      if (progress.evaluated >= people) break;
      await poll();
    }
  } else {
    let last = '';
    for (let i = 0; i < SETTLE_POLLS; i++) {
      await poll();
      const counts = JSON.stringify(await segmentMemberCounts());
      if (counts === last) break;
      last = counts;
    }
  }
  progress.members = await segmentMemberCounts();
  progress.status = 'completed';
  return progress;
}
