import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { startPendingDeliveries } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes' });

/**
 * Run by a recurring Schedule: starts the delivery of messages that were
 * recorded but whose delivery never started (a crash between the two, or a
 * recorder that leaves the start to this sweep). Counts in the run history.
 */
export async function deliverySweeperWorkflow(input: { graceSeconds: number }): Promise<{ started: number }> {
  return startPendingDeliveries(input);
}
