import { parseDuration } from '../duration';
import type { ScoringModel } from './model';

export type ScoreStatus = 'nurture' | 'qualified' | 'discarded';

export interface StatusState {
  status: ScoreStatus;
  /** Since when the score has been below `discard.below` without a break. */
  lowSince?: string;
}

/**
 * The lead's status after a new total: qualified at or above qualifyAt, discarded
 * after staying below `discard.below` for `discard.after`, else nurture.
 * `nextChangeAt` is when time alone would discard it.
 */
export function nextStatus(model: ScoringModel, prev: StatusState | undefined, total: number, now: number): StatusState & { nextChangeAt?: string } {
  if (total >= model.qualifyAt) return { status: 'qualified' };
  if (!model.discard || total >= model.discard.below) return { status: 'nurture' };
  const lowSince = prev?.lowSince ?? new Date(now).toISOString();
  const discardAt = Date.parse(lowSince) + parseDuration(model.discard.after)!;
  if (now >= discardAt) return { status: 'discarded', lowSince };
  return { status: 'nurture', lowSince, nextChangeAt: new Date(discardAt).toISOString() };
}
