import { InferSchemaType, model, Schema } from 'mongoose';

export const ENROLMENT_STATUSES = ['active', 'exhausted', 'exited'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/**
 * One person on one stream, `_id` the workflow id `nurture:<streamId>:<personId>`,
 * so a person is on a stream at most once. A projection written by the
 * person's workflow (its activities) and read by the enrolments list; the
 * stream's pause shows in the list without a write per person.
 */
const nurtureEnrolmentSchema = new Schema(
  {
    _id: { type: String, required: true },
    streamId: { type: String, required: true, index: true },
    personId: { type: String, required: true, index: true },
    accountKey: String,
    status: { type: String, enum: ENROLMENT_STATUSES, required: true },
    exitReason: String,
    /** The last cast: its stage (0-based) and campaign; unset before the first. */
    stage: Number,
    lastCampaign: String,
    casts: { type: Number, default: 0 },
    lastCastAt: Date,
    /** The next campaign in order (advanceWhen is judged at the cast) and when it is due. */
    nextCampaign: String,
    nextCastAt: Date,
    enrolledAt: { type: Date, required: true },
    exitedAt: Date,
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export const NurtureEnrolment = model('NurtureEnrolment', nurtureEnrolmentSchema, 'nurture_enrolments');
export type NurtureEnrolmentDoc = InferSchemaType<typeof nurtureEnrolmentSchema> & { _id: string };
