import { type Consent, type ConsentFieldChange, type ConsentSource, consentChanges, TOPIC_KEY } from '../domain/email/consent';
import { AuditEntry } from '../models/audit-entry';
import { ConsentChange } from '../models/consent-change';
import { Person } from '../models/person';
import { SubscriptionTopic } from '../models/subscription-topic';
import { op } from './query';

export interface ConsentOrigin {
  source: ConsentSource;
  /** The API key that asked for it (api, import, an event sent with a key); without one the source itself is audited as the actor. */
  by?: { keyId: string; role: string };
  /** What caused it: an outbound message id (unsubscribe, one-click, bounce), an event id, an import id. */
  ref?: string;
}

/** Who acts when no key does: the recipient on the unsubscribe page or by one click, the system otherwise. */
const ACTOR_ROLE: Record<ConsentSource, string> = { api: 'system', import: 'system', unsubscribe_page: 'recipient', one_click: 'recipient', event: 'system', bounce: 'system' };

/** The topics among these that are not defined (consent is kept only for topics that exist). */
export async function unknownTopics(keys: string[]): Promise<string[]> {
  if (!keys.length) return [];
  const known = new Set((await SubscriptionTopic.find({ _id: op({ $in: keys }) }, { _id: 1 }).lean()).map((t) => t._id));
  return keys.filter((k) => !known.has(k));
}

function setOf(change: Consent): Record<string, boolean> {
  const set: Record<string, boolean> = {};
  if (change.email !== undefined) set['consent.email'] = change.email;
  if (change.tracking !== undefined) set['consent.tracking'] = change.tracking;
  for (const [topic, value] of Object.entries(change.topics ?? {})) {
    if (!TOPIC_KEY.test(topic)) throw new Error(`'${topic}' is not a topic key`);
    set[`consent.topics.${topic}`] = value;
  }
  return set;
}

/**
 * Changes a person's consent, field by field (a change of one topic keeps the
 * others), and records what really changed with its source, then audits it.
 * The values before are read in the same atomic update, so two changes at
 * once each record their own "from". Answers what changed (empty when
 * everything already was as asked, which records nothing), or null for no
 * such person. Used by PUT /v1/people/:email and imports, and meant for the
 * unsubscribe page, one-click unsubscribes, unsubscribe events and bounces.
 */
export async function changeConsent(personId: string, change: Consent, origin: ConsentOrigin): Promise<ConsentFieldChange[] | null> {
  const set = setOf(change);
  if (!Object.keys(set).length) return (await Person.exists({ _id: personId })) ? [] : null;
  // The whole document: the embedded database's findAndModify takes no projection.
  const before = await Person.findOneAndUpdate({ _id: personId }, { $set: set }, { new: false }).lean();
  if (!before) return null;
  const changes = consentChanges(before.consent, change);
  if (!changes.length) return changes;
  const at = new Date();
  const by = origin.by ?? { keyId: origin.source, role: ACTOR_ROLE[origin.source] };
  await ConsentChange.create({ personId, at, source: origin.source, keyId: by.keyId, ref: origin.ref, changes });
  await AuditEntry.create({ at, keyId: by.keyId, role: by.role, action: `consent.${origin.source}`, resource: `person:${personId}:consent` });
  return changes;
}
