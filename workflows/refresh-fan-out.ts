import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Patch: the fan-out that asks everyone to refresh is bounded by its
 * heartbeat, not by 30 minutes. It is paced by the refreshes it asks for, so
 * it lasts as long as the job: at 100,000 people a re-score ran past 30
 * minutes, its fan-out timed out near the end, and the retry read everyone
 * again while the re-score stood still.
 */
export const FAN_OUT_BY_HEARTBEAT = 'fan-out-bounded-by-heartbeat';

const { signalRefreshAll: within30Minutes } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '1 minute' });
// A lost worker is noticed by the missing heartbeat; the day only bounds a fan-out that never ends.
const { signalRefreshAll: whileItHeartbeats } = proxyActivities<Activities>({ startToCloseTimeout: '1 day', heartbeatTimeout: '1 minute' });

/** Asks every entity to refresh (activities/rescore.ts), with the time the history it runs in allows it. */
export const signalRefreshAll: Activities['signalRefreshAll'] = (input) => (patched(FAN_OUT_BY_HEARTBEAT) ? whileItHeartbeats : within30Minutes)(input);
