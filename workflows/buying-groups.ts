import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RefreshBuyingGroupsInput, RefreshBuyingGroupsResult } from '../activities/buying-groups';

const { refreshBuyingGroups } = proxyActivities<Activities>({ startToCloseTimeout: '1 hour', heartbeatTimeout: '1 minute' });

export function buyingGroupsWorkflowId(taskQueue: string, jobId: string): string {
  return `buying-groups:${taskQueue}:${jobId}`;
}

/**
 * Sets up the groups of an audience in the background (a segment may hold
 * thousands of accounts); each account's workflow then evaluates its own.
 */
export async function buyingGroupsWorkflow(input: RefreshBuyingGroupsInput): Promise<RefreshBuyingGroupsResult> {
  return refreshBuyingGroups(input);
}
