import { model, Schema } from 'mongoose';
import { ROLES } from '../domain/roles';

/** API keys are stored as SHA-256 hashes only; the key itself is shown once. */
const apiKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    hash: { type: String, required: true, unique: true },
    role: { type: String, enum: ROLES, required: true },
    name: { type: String, required: true },
    ownerId: String,
    revokedAt: Date,
  },
  { timestamps: true, versionKey: false },
);

export const ApiKey = model('ApiKey', apiKeySchema, 'api_keys');
