import { InferSchemaType, model, Schema } from 'mongoose';
import { STREAM_STATUSES } from '../domain/nurture/status';

/**
 * A nurture stream (api: /v1/nurture-streams), `_id` `ns_…`. Its definition
 * changes in place (a running stream only grows), so each person's workflow
 * reads it at every cast. `statusSeq` counts status changes: the signals that
 * carry a change name it, so a person's workflow never takes an older change
 * for a newer one when two fan-outs overlap.
 */
const nurtureStreamSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: STREAM_STATUSES, required: true },
    statusSeq: { type: Number, required: true, default: 0 },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

export const NurtureStream = model('NurtureStream', nurtureStreamSchema, 'nurture_streams');
export type NurtureStreamDoc = InferSchemaType<typeof nurtureStreamSchema> & { _id: string };
