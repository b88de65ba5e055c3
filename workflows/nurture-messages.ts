import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Position } from '../domain/nurture/position';

/**
 * A stream's status change, numbered by the stream's `statusSeq`: a person's
 * workflow takes a change only if it is newer than the last it took, so two
 * fan-outs (a pause, then a resume) arriving out of order settle right.
 */
export interface StatusChange {
  seq: number;
}
export const pauseSignal = defineSignal<[StatusChange]>('pause');
export const resumeSignal = defineSignal<[StatusChange]>('resume');
export const stopSignal = defineSignal<[StatusChange]>('stop');
/** Campaigns were appended: an exhausted person has something again, sent at their next cast. */
export const newContentSignal = defineSignal('newContent');

/** Something happened that may make the person leave (qualified, unsubscribed): judged now, not at the next cast. */
export const recheckSignal = defineSignal('recheck');

export type NurtureSignal = 'pause' | 'resume' | 'stop' | 'newContent';

export interface NurtureState {
  status: 'active' | 'paused' | 'exhausted' | 'exited';
  after?: Position;
  casts: number;
  nextCastAt: string;
}
export const nurtureStateQuery = defineQuery<NurtureState>('nurtureState');

export const nurtureWorkflowId = (streamId: string, personId: string) => `nurture:${streamId}:${personId}`;
