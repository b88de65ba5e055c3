import { createHash } from 'node:crypto';
import { eventNameProblem } from '../events';
import type { Identifiers } from '../identity';
import { findUnsafeValue } from '../safe-document';
import { idField, isObject, Json, MessageProblem, messageType, MessageType, objectField, Refused, textField } from './message';
import { occurredAt } from './timestamps';
import { accountTraits, FieldUpdate, personTraits } from './traits';

/** What one message does, in the engine's terms. `index` is its place in the batch. */
export type TrackingOp =
  | { kind: 'event'; index: number; ids: Identifiers; accountKey?: string; event: { eventId: string; type: string; occurredAt: string; properties: Json } }
  | { kind: 'identify'; index: number; ids: Identifiers; accountKey?: string; person: FieldUpdate }
  | { kind: 'group'; index: number; ids: Identifiers; accountKey: string; account: FieldUpdate }
  | { kind: 'alias'; index: number; userId: string; previousId: string };

export interface Rejection extends MessageProblem {
  index: number;
  messageId?: string;
}

export interface BatchFacts {
  /** When the request arrived (ms), for the clock-skew rule. */
  receivedAt: number;
  /** The batch's own `sentAt` (analytics-node sends one per batch). */
  sentAt?: string;
  /** The type a single-message route implies. */
  routeType?: MessageType;
}

/** Account keys are workflow ids: no spaces, no slashes, bounded (as PUT /v1/accounts/:accountKey). */
const ACCOUNT_KEY = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_MESSAGE_ID = 200;
const UTM: Record<string, string> = { name: 'utm_campaign', source: 'utm_source', medium: 'utm_medium', term: 'utm_term', content: 'utm_content' };
const PAGE_FIELDS = ['url', 'path', 'referrer', 'title', 'search'] as const;

function accountKeyField(m: Json, key: string, path: string): string | undefined {
  const id = idField(m, key, path);
  if (id !== undefined && !ACCOUNT_KEY.test(id)) throw new Refused(path, 'must be 1-128 letters, digits or . _ : @ - (it is the account key)');
  return id;
}

/**
 * The event id: the message's own messageId (a retry carries the same one),
 * else a digest of the message, so a client that sends none still
 * deduplicates its retries.
 */
function messageId(m: Json): string {
  const own = idField(m, 'messageId');
  if (own && own.length > MAX_MESSAGE_ID) throw new Refused('messageId', `must be at most ${MAX_MESSAGE_ID} characters`);
  return own ?? `msg-${createHash('sha256').update(JSON.stringify(m)).digest('hex').slice(0, 32)}`;
}

function identifiers(m: Json): Identifiers {
  const ids: Identifiers = {};
  const userId = idField(m, 'userId');
  const anonymousId = idField(m, 'anonymousId');
  if (userId) ids.userId = userId;
  if (anonymousId) ids.anonymousId = anonymousId;
  return ids;
}

function requirePerson(ids: Identifiers): Identifiers {
  if (!ids.userId && !ids.anonymousId && !ids.email) throw new Refused('userId', 'needs userId or anonymousId');
  return ids;
}

/** The event's properties: the message's own, with the page, the campaign (UTM), the IP and user agent filling what they do not name. */
function eventProperties(m: Json, context: Json, type: MessageType): Json {
  const own = objectField(m, 'properties');
  const filled: Json = {};
  if (type === 'page' || type === 'screen') {
    const page = objectField(context, 'page', 'context.page');
    for (const f of PAGE_FIELDS) if (typeof page[f] === 'string') filled[f] = page[f];
    if (typeof m.name === 'string' && m.name) filled.name = m.name;
    if (typeof m.category === 'string' && m.category) filled.category = m.category;
  }
  for (const [k, v] of Object.entries(objectField(context, 'campaign', 'context.campaign'))) if (typeof v === 'string') filled[UTM[k] ?? `utm_${k}`] = v;
  const ip = textField(context, 'ip', 'context.ip');
  const userAgent = textField(context, 'userAgent', 'context.userAgent');
  if (ip) filled.ip = ip;
  if (userAgent) filled.userAgent = userAgent;
  const properties = { ...filled, ...own };
  const bad = findUnsafeValue(properties, 'properties');
  if (bad) throw new Refused(bad.path, bad.message);
  return properties;
}

function eventType(m: Json, type: MessageType): string {
  if (type !== 'track') return 'web_visit';
  const name = textField(m, 'event');
  if (name === undefined) throw new Refused('event', 'a track message needs its event name');
  const problem = eventNameProblem(name);
  if (problem) throw new Refused('event', problem);
  return name;
}

function identifyOp(m: Json, context: Json, index: number, accountKey: string | undefined): TrackingOp {
  // RudderStack copies the traits into context.traits; the message's own win.
  const traits = { ...objectField(context, 'traits', 'context.traits'), ...objectField(m, 'traits') };
  const ids = identifiers(m);
  if (traits.email !== undefined && traits.email !== null && traits.email !== '') {
    if (typeof traits.email !== 'string' || !EMAIL.test(traits.email.trim())) throw new Refused('traits.email', 'is not an email address');
    ids.email = traits.email.trim();
  }
  return { kind: 'identify', index, ids: requirePerson(ids), accountKey, person: personTraits(traits) };
}

function operation(m: Json, index: number, facts: BatchFacts): TrackingOp {
  const type = messageType(m, facts.routeType);
  const context = objectField(m, 'context');
  const accountKey = accountKeyField(context, 'groupId', 'context.groupId');
  if (type === 'identify') return identifyOp(m, context, index, accountKey);
  if (type === 'alias') {
    const userId = idField(m, 'userId');
    const previousId = idField(m, 'previousId');
    if (!userId) throw new Refused('userId', 'an alias needs the userId to keep');
    if (!previousId) throw new Refused('previousId', 'an alias needs the previousId to merge');
    return { kind: 'alias', index, userId, previousId };
  }
  if (type === 'group') {
    const groupId = accountKeyField(m, 'groupId', 'groupId');
    if (!groupId) throw new Refused('groupId', 'a group message needs the groupId of the account');
    return { kind: 'group', index, ids: requirePerson(identifiers(m)), accountKey: groupId, account: accountTraits(objectField(m, 'traits')) };
  }
  const event = { eventId: messageId(m), type: eventType(m, type), occurredAt: occurredAt(m, facts.sentAt, facts.receivedAt), properties: eventProperties(m, context, type) };
  return { kind: 'event', index, ids: requirePerson(identifiers(m)), ...(accountKey ? { accountKey } : {}), event };
}

/**
 * Reads a batch of Segment messages into what each does, in message order;
 * a message that can never be applied is refused alone, naming its field.
 */
export function toOperations(messages: readonly unknown[], facts: BatchFacts): { ops: TrackingOp[]; rejected: Rejection[] } {
  const ops: TrackingOp[] = [];
  const rejected: Rejection[] = [];
  messages.forEach((m, index) => {
    try {
      if (!isObject(m)) throw new Refused('', 'a message must be an object');
      ops.push(operation(m, index, facts));
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      const id = isObject(m) && typeof m.messageId === 'string' ? m.messageId : undefined;
      rejected.push({ index, ...(id ? { messageId: id } : {}), path: err.path, message: err.message });
    }
  });
  return { ops, rejected };
}
