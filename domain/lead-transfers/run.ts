import { FINAL, type DeliveryStatus } from '../delivery/message';

/** What became of one lead handed to the CRM in a run; skipped leads (nothing new since their last transfer) are only counted. */
export type LeadOutcome = 'pending' | 'transferred' | 'failed';

export interface RunTally {
  transferred: number;
  skipped: number;
  failed: number;
  /** Handed over but not final when the run stopped waiting. */
  pending: number;
}

export const emptyTally = (): RunTally => ({ transferred: 0, skipped: 0, failed: 0, pending: 0 });

/** The outbound message of one lead in one run: its id is the idempotency key, so a retried page records each lead once. */
export const transferMessageId = (transferId: string, runId: string, personId: string) => `transfer:${transferId}:${runId}:${personId}`;

/**
 * A lead's outcome from its message: sent is transferred; suppressed (no email
 * to upsert by, the person gone) and dead (the CRM refused it, or retries ran
 * out) are failed with the reason; anything else is still on its way.
 */
export function leadOutcome(message: { status: string; reason?: string | null } | undefined): { outcome: LeadOutcome; error?: string } {
  if (!message || !FINAL.has(message.status as DeliveryStatus)) return { outcome: 'pending' };
  if (message.status === 'sent') return { outcome: 'transferred' };
  return { outcome: 'failed', error: message.reason ?? message.status };
}

/** The run's counts from its leads' outcomes and the leads it skipped. */
export function tallyOf(outcomes: readonly LeadOutcome[], skipped: number): RunTally {
  const tally = { ...emptyTally(), skipped };
  for (const o of outcomes) tally[o] += 1;
  return tally;
}

/** Polls for the CRM's results start quick and slow down: a small run ends in seconds, a long one costs few history events. */
export const pollDelayMs = (poll: number) => Math.min(30_000, 1000 * 2 ** Math.min(poll, 5));
