/**
 * The Segment tracking spec as it arrives (analytics.js, @segment/analytics-node,
 * RudderStack): loosely typed JSON, read field by field so every problem names
 * its field.
 */
import { textProblem } from '../storable-text';

export const MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export type Json = Record<string, unknown>;

/** A field that makes a message impossible to apply: it must never be sent again as it is. */
export interface MessageProblem {
  path: string;
  message: string;
}

export class Refused extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

export const MAX_IDENTIFIER = 320;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object field, {} when absent; anything else is refused. */
export function objectField(m: Json, key: string, path = key): Json {
  const v = m[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new Refused(path, 'must be an object');
  return v;
}

/**
 * An identifier (userId, anonymousId, groupId...): a string, or a number as
 * some SDKs send user ids; absent when empty.
 */
export function idField(m: Json, key: string, path = key): string | undefined {
  const v = m[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) throw new Refused(path, 'must be a string');
  const text = String(v).trim();
  if (!text) return undefined;
  if (text.length > MAX_IDENTIFIER) throw new Refused(path, `must be at most ${MAX_IDENTIFIER} characters`);
  const problem = textProblem(text);
  if (problem) throw new Refused(path, problem);
  return text;
}

/** An optional string field. */
export function textField(m: Json, key: string, path = key): string | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Refused(path, 'must be a string');
  return v;
}

/** An optional ISO 8601 time (strings, as every SDK sends them), as epoch ms. */
export function timeField(m: Json, key: string, path = key): number | undefined {
  const v = m[key];
  if (v === undefined || v === null || v === '') return undefined;
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw new Refused(path, 'must be an ISO 8601 time');
  return t;
}

/** The message's type: its own, else the one its route implies (POST /v1/track carries a track). */
export function messageType(m: Json, routeType: MessageType | undefined): MessageType {
  const own = m.type ?? routeType;
  if (typeof own !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(own)) {
    throw new Refused('type', `must be one of ${MESSAGE_TYPES.join(', ')}`);
  }
  if (routeType && own !== routeType) throw new Refused('type', `is '${own}' but this route takes ${routeType} messages`);
  return own as MessageType;
}
