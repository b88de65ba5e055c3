import { model, Schema } from 'mongoose';

/** One identifier (`email:ann@acme.com`) bound to one person; `_id` makes it unique. */
const identitySchema = new Schema(
  {
    _id: { type: String, required: true },
    personId: { type: String, required: true, index: true },
    kind: { type: String, required: true },
    value: { type: String, required: true },
    /** The person's account, copied here so resolving a batch needs no read of people. */
    accountKey: String,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export const Identity = model('Identity', identitySchema, 'identities');
