import { model, Schema } from 'mongoose';

/** Who read which profile when (docs/api.md, Authentication and roles). */
const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true },
    keyId: { type: String, required: true },
    role: { type: String, required: true },
    action: { type: String, required: true },
    resource: { type: String, required: true },
  },
  { versionKey: false },
);

export const AuditEntry = model('AuditEntry', auditEntrySchema, 'audit_log');
