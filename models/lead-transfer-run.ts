import { model, Schema } from 'mongoose';

/** One run of a lead transfer (`_id` is its runId), written by its workflow: counts while it runs, final when it ends. */
const leadTransferRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    transferId: { type: String, required: true, index: true },
    workflowId: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: Date,
    status: { type: String, enum: ['running', 'completed', 'failed'], required: true },
    transferred: { type: Number, default: 0 },
    skipped: { type: Number, default: 0 },
    failed: { type: Number, default: 0 },
    pending: { type: Number, default: 0 },
    /** Why a failed run failed. */
    error: String,
  },
  { versionKey: false },
);

/**
 * A lead handed to the CRM in a run, for drill-down: `_id` `<runId>:<personId>`,
 * its own collection because a run may hand over a whole segment. The
 * fingerprint is what the lead's transfer record takes once it is transferred.
 */
const leadTransferRunLeadSchema = new Schema(
  {
    _id: { type: String, required: true },
    runId: { type: String, required: true, index: true },
    transferId: { type: String, required: true },
    personId: { type: String, required: true },
    messageId: { type: String, required: true },
    fingerprint: { type: String, required: true },
    outcome: { type: String, enum: ['pending', 'transferred', 'failed'], required: true },
    error: String,
    providerId: String,
  },
  { versionKey: false },
);

export const LeadTransferRun = model('LeadTransferRun', leadTransferRunSchema, 'lead_transfer_runs');
export const LeadTransferRunLead = model('LeadTransferRunLead', leadTransferRunLeadSchema, 'lead_transfer_run_leads');
export const runLeadId = (runId: string, personId: string) => `${runId}:${personId}`;
