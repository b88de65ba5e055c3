import { InferSchemaType, model, Schema } from 'mongoose';

/** An email template (api: PUT /v1/email-templates/:key), `_id` its key; stored only once it compiles (domain/email/template). */
const emailTemplateSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    subject: { type: String, required: true },
    html: String,
    mjml: String,
    text: String,
    from: String,
    topic: String,
    kind: { type: String, enum: ['marketing', 'operational'], required: true },
  },
  { timestamps: true, versionKey: false },
);

export const EmailTemplate = model('EmailTemplate', emailTemplateSchema, 'email_templates');
export type EmailTemplateDoc = InferSchemaType<typeof emailTemplateSchema> & { _id: string };
