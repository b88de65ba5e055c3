import type { Channel } from './message';

/**
 * A lane is the queue of one destination: its messages are claimed in batches
 * by one dispatcher workflow, `dispatch:<lane>`, and sent on the task queue of
 * its transport, whose rate limit is the destination's. Email and sales alerts
 * both go out through SMTP.
 */
export type Lane = 'email' | 'sales';

const LANES: Partial<Record<Channel, Lane>> = { email: 'email', sales: 'sales' };

/** The lane of a channel that has a delivery today, or undefined (the message is recorded and waits, as queued). */
export const laneOf = (channel: string): Lane | undefined => LANES[channel as Channel];

export const DELIVERED_LANES: readonly Lane[] = ['email', 'sales'];

/** The transport a lane sends through: names its task queue (domain/delivery/queues). */
export const transportOf = (_lane: Lane) => 'email' as const;

export const dispatcherId = (lane: Lane) => `dispatch:${lane}`;

/**
 * Where a message stands in its lane's queue (the `queue` field, a top-level
 * equality the embedded database reads cheaply): ready to claim, waiting for its
 * time (deferred, or a retry after a transient failure), or held by one claim.
 * A message that reached a final status is in no queue.
 */
export const readyIn = (lane: Lane) => lane;
export const laterIn = (lane: Lane) => `${lane}:later`;
export const claimIn = (lane: Lane, claimId: string) => `${lane}:claim:${claimId}`;
export const isClaim = (lane: Lane, queue: string) => queue.startsWith(`${lane}:claim:`);
