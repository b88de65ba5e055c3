import type { DeliveryTarget } from '../lib/deliver-events';
import { writeEach } from '../lib/each-statement';
import { NurtureEnrolment } from '../models/nurture-enrolment';
import { newContentSignal, pauseSignal, resumeSignal, stopSignal, type NurtureSignal } from '../workflows/nurture-messages';

/** Enrolments read and signalled per activity: one Temporal call per person, at most 16 in flight. */
export const FAN_OUT_PAGE = 200;

export interface FanOutInput {
  streamId: string;
  signal: NurtureSignal;
  /** The stream's statusSeq after the change a status signal carries. */
  seq?: number;
  offset: number;
}

/**
 * Who needs new content: the exhausted, and those whose next campaign in order
 * was none when last looked at (they may be deciding they are exhausted on the
 * stream as it was before the edit).
 */
const wants = (signal: NurtureSignal, e: { status: string; nextCampaign?: string | null }) =>
  e.status !== 'exited' && (signal !== 'newContent' || e.status === 'exhausted' || !e.nextCampaign);

export function makeNurtureFanOut(target: DeliveryTarget) {
  return {
    /** Signals one page of a stream's enrolments; returns the next page's offset, none after the last. */
    async signalNurtureEnrolments(input: FanOutInput): Promise<{ next?: number; signalled: number }> {
      const page = await NurtureEnrolment.find({ streamId: input.streamId }, { status: 1, nextCampaign: 1 }).sort({ _id: 1 }).skip(input.offset).limit(FAN_OUT_PAGE).lean();
      let signalled = 0;
      await writeEach(
        page.filter((e) => wants(input.signal, e)),
        async (e) => {
          const handle = target.client.workflow.getHandle(e._id);
          const change = { seq: input.seq ?? 0 };
          try {
            if (input.signal === 'newContent') await handle.signal(newContentSignal);
            else await handle.signal({ pause: pauseSignal, resume: resumeSignal, stop: stopSignal }[input.signal], change);
            signalled++;
          } catch (err) {
            // A person who has left has no workflow to tell.
            if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
          }
        },
      );
      return { next: page.length === FAN_OUT_PAGE ? input.offset + FAN_OUT_PAGE : undefined, signalled };
    },
  };
}
