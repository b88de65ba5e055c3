import { textProblem } from './storable-text';

/** The built-in interaction types: scoring rules, segments and journeys written against them see mapped custom names too. */
export const EVENT_TYPES = [
  'email_open',
  'email_click',
  'web_visit',
  'form_submit',
  'whitepaper_download',
  'webinar_attend',
  'chatbot_intent',
  'meeting_booked',
  'purchase',
  'linkedin_ad_click',
  'unsubscribe',
  /** The CRM changed the person's lead status (recorded by POST /v1/crm-connections/:key/inbound). */
  'crm_status_changed',
  'custom',
] as const;

export type BuiltInEventType = (typeof EVENT_TYPES)[number];

/**
 * An event type: a built-in one or a custom name ("Whitepaper Downloaded"),
 * registered on first sight through the tracking API or ahead with
 * PUT /v1/event-types/:name.
 */
export type EventType = string;

/** The longest custom event name. */
export const MAX_EVENT_NAME = 100;

const BUILT_IN: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isBuiltInEventType(name: string): name is BuiltInEventType {
  return BUILT_IN.has(name);
}

/** Why a name cannot be an event type (undefined when it can): 1-100 characters, not blank, no control characters. */
export function eventNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'must not be blank';
  if (name.length > MAX_EVENT_NAME) return `must be at most ${MAX_EVENT_NAME} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters';
  return textProblem(name);
}

/**
 * What the account workflow needs of one stored event. The signal carries these
 * facts rather than bare ids, so applying a batch never has to read events back
 * (a `$in` over interactions is a full decode on the embedded database).
 */
export interface AccountEvent {
  eventId: string;
  type: EventType;
  /** The built-in type a custom name was mapped to when the event was received ("Demo Requested" → meeting_booked). */
  means?: BuiltInEventType;
  /** ISO 8601 */
  occurredAt: string;
  personId: string;
  /** Validated at the API; scoring filters and interests read them. */
  properties?: Record<string, unknown>;
}

/** Whether an event counts as `type`: its own name, or the built-in type it was mapped to. */
export function eventIs(event: { type: string; means?: string }, type: string): boolean {
  return event.type === type || event.means === type;
}

/** The built-in type an event acts as: the one it was mapped to, else its own name. */
export function meaningOf(event: { type: string; means?: string }): string {
  return event.means ?? event.type;
}
