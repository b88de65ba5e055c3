/** Channels an outbound message goes out through (api: GET /v1/outbound-messages). */
export const CHANNELS = ['email', 'crm', 'sales', 'audience', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * pending → sent | suppressed | deferred | failed; deferred → pending at its time;
 * failed → dead when the error is permanent or the retries are spent; dead → pending
 * only by an explicit re-drive, under the same id.
 */
export const STATUSES = ['pending', 'deferred', 'sent', 'suppressed', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof STATUSES)[number];

/** Statuses that end a delivery: nothing is sent again unless a dead message is re-driven. */
export const FINAL: ReadonlySet<DeliveryStatus> = new Set(['sent', 'suppressed', 'dead']);

export interface Attempt {
  at: string;
  ok: boolean;
  error?: string;
}

/** What one delivery attempt decided. */
export type DeliveryOutcome =
  | { status: 'sent'; providerId?: string }
  | { status: 'suppressed'; reason: string }
  | { status: 'deferred'; scheduledFor: string; reason: string }
  | { status: 'dead'; reason: string };

/** What one attempt at one message came to: an outcome, or a failure the lane's retry policy decides on. */
export type AttemptResult = DeliveryOutcome | { status: 'failed'; error: string; permanent: boolean; retryAfterMs?: number };
