import { InferSchemaType, model, Schema } from 'mongoose';

/**
 * A CRM the engine talks to (api: PUT /v1/crm-connections/:key); `_id` is its
 * key. `accessToken` and `secret` are sealed (lib/secret-box) and read only
 * through lib/crm-connections.
 */
const crmConnectionSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ['hubspot', 'salesforce', 'webhook'] },
    baseUrl: String,
    accessToken: String,
    secret: String,
    /** Per CRM object, our field → the CRM's property (domain/crm/mapping CrmMappingInput). */
    mapping: { type: Schema.Types.Mixed, default: {} },
    rateLimitPerSecond: { type: Number, required: true },
    sync: { qualifiedLeads: { type: Boolean, required: true }, buyingGroups: { type: Boolean, required: true } },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

export const CrmConnection = model('CrmConnection', crmConnectionSchema, 'crm_connections');
export type CrmConnectionDoc = InferSchemaType<typeof crmConnectionSchema> & { _id: string };
