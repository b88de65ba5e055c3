import { model, Schema } from 'mongoose';

/** A current member of a segment: `_id` is `<segmentId>:<memberId>`, written by the member's entity workflow. */
const segmentMemberSchema = new Schema(
  {
    _id: { type: String, required: true },
    segmentId: { type: String, required: true, index: true },
    memberId: { type: String, required: true },
    since: { type: Date, required: true },
  },
  { versionKey: false },
);

/**
 * An entry or exit, kept for journeys (`?changedSince=`). `_id` carries the
 * batch that found it, so a retried batch records it once.
 */
const segmentChangeSchema = new Schema(
  {
    _id: { type: String, required: true },
    segmentId: { type: String, required: true, index: true },
    memberId: { type: String, required: true },
    change: { type: String, required: true, enum: ['entered', 'exited'] },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const SegmentMember = model('SegmentMember', segmentMemberSchema, 'segment_members');
export const SegmentChange = model('SegmentChange', segmentChangeSchema, 'segment_changes');
