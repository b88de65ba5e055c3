import { defineQuery, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface RescoreProgress {
  version: number;
  status: 'running' | 'completed';
  total: number;
  done: number;
  startedAt: string;
  finishedAt?: string;
}

export const rescoreProgressQuery = defineQuery<RescoreProgress>('progress');

const { signalRefreshAll } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '1 minute' });
const { countRescored } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

/** Per task queue, like the sweeper: deployments sharing a namespace keep their own model versions. */
export function rescoreWorkflowId(taskQueue: string, version: number): string {
  return `rescore:${taskQueue}:model-v${version}`;
}

/**
 * Re-scores everyone after the scoring model changed, in the background: each
 * entity workflow is asked to refresh (ingestion goes on meanwhile), then
 * progress is counted until every person carries the new version.
 */
export async function rescoreWorkflow(input: { version: number; pollSeconds?: number }): Promise<RescoreProgress> {
  const progress: RescoreProgress = { version: input.version, status: 'running', total: 0, done: 0, startedAt: new Date().toISOString() };
  setHandler(rescoreProgressQuery, () => progress);
  const { people } = await signalRefreshAll({ version: input.version });
  progress.total = people;
  for (;;) {
    progress.done = Math.min(people, await countRescored({ version: input.version }));
    if (progress.done >= people) break;
    await sleep(`${input.pollSeconds ?? 2} seconds`);
  }
  progress.status = 'completed';
  progress.finishedAt = new Date().toISOString();
  return progress;
}
