import { model, Schema } from 'mongoose';

/**
 * How many changes to existing identifier bindings have started and finished
 * (lib/identity-cache.ts). `epoch` is new whenever the document is created, so
 * a database emptied and refilled never matches what a process kept before.
 */
const identityVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    epoch: { type: String, required: true },
    started: { type: Number, required: true },
    finished: { type: Number, required: true },
    startedAt: Date,
  },
  { versionKey: false },
);

export const IdentityVersion = model('IdentityVersion', identityVersionSchema, 'identity_versions');
