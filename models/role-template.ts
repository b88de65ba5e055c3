import { model, Schema } from 'mongoose';

/** A role template by key; `revision` grows with every save, so workers know when their copy is stale. */
const roleTemplateSchema = new Schema(
  {
    _id: { type: String, required: true },
    template: { type: Schema.Types.Mixed, required: true },
    revision: { type: Number, required: true, unique: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export const RoleTemplateDoc = model('RoleTemplate', roleTemplateSchema, 'role_templates');
