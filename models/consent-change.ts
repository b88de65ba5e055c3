import { model, Schema } from 'mongoose';

/**
 * One change of a person's consent with where it came from (lib/consent-store):
 * the API, an import, the unsubscribe page, a one-click unsubscribe, an event or a bounce.
 */
const consentChangeSchema = new Schema(
  {
    personId: { type: String, required: true, index: true },
    at: { type: Date, required: true },
    source: { type: String, required: true },
    /** The API key that made it, or the source itself when no key did (a recipient's click, a bounce). */
    keyId: { type: String, required: true },
    /** What caused it: the outbound message, the event or the import. */
    ref: String,
    changes: { type: [{ _id: false, field: String, from: { type: Boolean, default: null }, to: Boolean }], required: true },
  },
  { versionKey: false },
);

export const ConsentChange = model('ConsentChange', consentChangeSchema, 'consent_changes');
