/** Interaction types the API accepts. */
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

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * What the account workflow needs of one stored event. The signal carries these
 * facts rather than bare ids, so applying a batch never has to read events back
 * (a `$in` over interactions is a full decode on the embedded database).
 */
export interface AccountEvent {
  eventId: string;
  type: EventType;
  /** ISO 8601 */
  occurredAt: string;
  personId: string;
  /** Validated at the API; scoring filters and interests read them. */
  properties?: Record<string, unknown>;
}
