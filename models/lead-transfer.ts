import { InferSchemaType, model, Schema } from 'mongoose';
import { INCLUDE_FIELDS } from '../domain/lead-transfers/fingerprint';
import { TRANSFER_STATUSES } from '../domain/lead-transfers/status';

/**
 * A recurring hand-over of a segment's leads to a CRM connection (api:
 * /v1/lead-transfers); `_id` is `lt_…`. Its Temporal Schedule
 * `lead-transfer:<id>` follows `status` (lib/lead-transfer-schedule).
 */
const leadTransferSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    segmentId: { type: String, required: true },
    connection: { type: String, required: true },
    /** As given (ISO 8601), and in seconds for the Schedule. */
    every: { type: String, required: true },
    everySeconds: { type: Number, required: true },
    include: { type: [String], enum: INCLUDE_FIELDS, default: () => [...INCLUDE_FIELDS] },
    status: { type: String, enum: TRANSFER_STATUSES, required: true },
  },
  { timestamps: true, versionKey: false },
);

export const LeadTransfer = model('LeadTransfer', leadTransferSchema, 'lead_transfers');
export type LeadTransferDoc = InferSchemaType<typeof leadTransferSchema> & { _id: string };

/**
 * What a transfer last sent of one lead, `_id` `<transferId>:<personId>`:
 * written only once the CRM took the record, so a lead that failed is tried
 * again by the next run.
 */
const leadTransferLeadSchema = new Schema(
  {
    _id: { type: String, required: true },
    transferId: { type: String, required: true },
    personId: { type: String, required: true },
    fingerprint: { type: String, required: true },
    runId: { type: String, required: true },
    transferredAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const LeadTransferLead = model('LeadTransferLead', leadTransferLeadSchema, 'lead_transfer_leads');
export const transferLeadId = (transferId: string, personId: string) => `${transferId}:${personId}`;
