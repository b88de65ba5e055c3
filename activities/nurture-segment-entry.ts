import type { NurtureDefinition } from '../domain/nurture/definition';
import type { DeliveryTarget } from '../lib/deliver-events';
import { enrolPeople } from '../lib/nurture-enrol';
import type { StreamDoc } from '../lib/nurture-store';
import { NurtureStream } from '../models/nurture-stream';
import { SegmentMember } from '../models/segment-membership';

/** Members read and enrolled per activity: one Temporal start per person. */
const PAGE = 200;

export function makeNurtureSegmentEntry(target: DeliveryTarget) {
  return {
    /** Enrols one page of the entry segment's members; returns the next page's offset, none after the last (or once the stream stopped). */
    async enrolNurtureSegmentPage(input: { streamId: string; offset: number }): Promise<{ next?: number; enrolled: number }> {
      const stream = (await NurtureStream.findOne({ _id: input.streamId }).lean()) as StreamDoc | null;
      const entry = stream?.definition.entry as NurtureDefinition['entry'] | undefined;
      if (!stream || (stream.status !== 'active' && stream.status !== 'paused') || !entry || !('segmentId' in entry)) return { enrolled: 0 };
      const page = await SegmentMember.find({ segmentId: entry.segmentId }, { memberId: 1 }).sort({ _id: 1 }).skip(input.offset).limit(PAGE).lean();
      const { enrolled } = page.length ? await enrolPeople(target, stream, page.map((m) => m.memberId)) : { enrolled: [] };
      return { next: page.length === PAGE ? input.offset + PAGE : undefined, enrolled: enrolled.length };
    },
  };
}
