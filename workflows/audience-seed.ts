import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SeedAudienceInput } from '../activities/audience-seed';

const { seedAudience } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes' });

export const audienceSeedWorkflowId = (taskQueue: string, input: SeedAudienceInput) => `audience-seed:${taskQueue}:${input.key}:${input.seed}`;

/** How long workers may still send a segment's changes without knowing an audience follows it (lib/audiences caches followers for a second). */
const FOLLOWERS_CACHE_AGE = '2 seconds';

/**
 * Seeds an audience with its segment's members in the background (a segment
 * may hold many thousands), after every worker sees that it follows the
 * segment, so an entry made meanwhile is either among the members read or
 * sent by its own batch.
 */
export async function audienceSeedWorkflow(input: SeedAudienceInput): Promise<{ recorded: number }> {
  await sleep(FOLLOWERS_CACHE_AGE);
  return seedAudience(input);
}
