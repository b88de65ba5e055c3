/**
 * A person's consent (api: `consent` of PUT /v1/people/:email). `email: false`
 * opts out of all marketing email, `topics[t]: false` out of one topic;
 * `tracking: false` turns off open and click tracking. Unset means "not said".
 */
export interface Consent {
  email?: boolean;
  tracking?: boolean;
  topics?: Record<string, boolean>;
}

/** Consent as read from the database, where a value never set may be null. */
export interface StoredConsent {
  email?: boolean | null;
  tracking?: boolean | null;
  topics?: Record<string, boolean> | null;
}

/** A topic's key is a field name inside the person's consent: no dots, no `$`. */
export const TOPIC_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A subscription topic (api: PUT /v1/subscription-topics/:key). */
export interface SubscriptionTopic {
  key: string;
  /** Only people who said yes to this topic get it (unset is no); other topics go to everyone who has not said no. */
  requireOptIn: boolean;
}

/** Where a change of consent came from; recorded with every change. */
export const CONSENT_SOURCES = ['api', 'import', 'unsubscribe_page', 'one_click', 'event', 'bounce'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export type ConsentRefusal = 'opted_out' | 'topic_opted_out' | 'opt_in_required' | 'unknown_topic';
export type ConsentDecision = { allowed: true } | { allowed: false; reason: ConsentRefusal };

/**
 * May this person receive an email of this kind and topic? Operational email
 * (a receipt, an invitation they asked for) needs no marketing consent; a
 * marketing email needs the person not to have opted out of all marketing
 * email nor of its topic, and a yes when its topic requires opt-in. A topic
 * that does not exist (deleted, misspelt) never sends: consent cannot be
 * judged against it.
 */
export function mayReceive(consent: StoredConsent | null | undefined, email: { kind: 'marketing' | 'operational' }, topic: SubscriptionTopic | null | undefined): ConsentDecision {
  if (email.kind === 'operational') return { allowed: true };
  if (!topic) return { allowed: false, reason: 'unknown_topic' };
  if (consent?.email === false) return { allowed: false, reason: 'opted_out' };
  const said = consent?.topics?.[topic.key];
  if (said === false) return { allowed: false, reason: 'topic_opted_out' };
  if (topic.requireOptIn && said !== true) return { allowed: false, reason: 'opt_in_required' };
  return { allowed: true };
}

export interface ConsentFieldChange {
  /** `email`, `tracking` or `topics.<topic>`. */
  field: string;
  from: boolean | null;
  to: boolean;
}

/** What a requested change really changes: values already as asked are no change (nothing to record or audit). */
export function consentChanges(current: StoredConsent | null | undefined, change: Consent): ConsentFieldChange[] {
  const out: ConsentFieldChange[] = [];
  for (const field of ['email', 'tracking'] as const) {
    const to = change[field];
    const from = current?.[field] ?? null;
    if (to !== undefined && to !== from) out.push({ field, from, to });
  }
  for (const [topic, to] of Object.entries(change.topics ?? {})) {
    const from = current?.topics?.[topic] ?? null;
    if (to !== from) out.push({ field: `topics.${topic}`, from, to });
  }
  return out;
}
