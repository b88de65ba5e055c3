import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { resendPendingEvents } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes' });

/**
 * Run by a recurring Schedule: re-sends events that were stored but whose
 * signal never reached their entity workflow. Its result (counts) shows in the
 * Schedule's run history.
 */
export async function sweeperWorkflow(input: { graceSeconds: number }): Promise<{ resent: number; workflows: number }> {
  return resendPendingEvents(input);
}
