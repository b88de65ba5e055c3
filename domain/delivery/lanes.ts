/**
 * A lane is the queue of one destination: its messages are claimed in batches
 * by one dispatcher workflow, `dispatch:<lane>`, and sent by its transport's
 * activity on the transport's own task queue. Email and sales alerts go out
 * through SMTP; each CRM connection and each ad audience is a lane of its own,
 * so one slow or throttled destination never holds up another.
 */
export type Transport = 'email' | 'crm' | 'audience';
export type Lane = 'email' | 'sales' | `crm:${string}` | `audience:${string}`;

/** The lane of a message whose channel has a delivery today, or undefined (it is recorded and waits, as queued). */
export function laneOf(m: { channel: string; payload?: Record<string, unknown> | null }): Lane | undefined {
  if (m.channel === 'email' || m.channel === 'sales') return m.channel;
  const destination = m.payload?.destination;
  if (typeof destination !== 'string' || !destination) return undefined;
  if (m.channel === 'crm') return `crm:${destination}`;
  if (m.channel === 'audience') return `audience:${destination}`;
  return undefined;
}

export function transportOf(lane: Lane): Transport {
  if (lane.startsWith('crm:')) return 'crm';
  if (lane.startsWith('audience:')) return 'audience';
  return 'email';
}

/** The connection or audience key a lane delivers to. */
export const destinationOf = (lane: Lane) => lane.slice(lane.indexOf(':') + 1);

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
/** The lane a claim's queue value belongs to, and the claim's dispatcher run. */
export function claimOf(queue: string): { lane: Lane; runId: string } | undefined {
  const at = queue.indexOf(':claim:');
  if (at < 0) return undefined;
  return { lane: queue.slice(0, at) as Lane, runId: queue.slice(at + ':claim:'.length).split(':')[0] };
}
