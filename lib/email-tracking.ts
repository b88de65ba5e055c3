import { clickEventId, isScannerClick, openEventId } from '../domain/email/tracking';
import { OutboundMessage } from '../models/outbound-message';
import { currentPerson } from './current-person';
import type { DeliveryTarget } from './deliver-events';
import { ingestEvents } from './ingest-events';
import { op } from './query';

/** What became of one open or click: recorded as an event, or why not. */
export type TrackingResult = 'recorded' | 'duplicate' | 'scanner' | 'no_tracking_consent' | 'unknown_recipient' | 'rejected';

export interface TrackedInteraction {
  messageId: string;
  /** A click's target; none for an open. */
  url?: string;
  userAgent?: string;
  now: number;
}

/** The person the message went to, as they are now. */
async function recipientOf(messageId: string) {
  const message = await OutboundMessage.findOne({ _id: messageId }, { personId: 1, sentAt: 1 }).lean();
  const person = message?.personId ? await currentPerson(message.personId) : undefined;
  return message && person?.email ? { email: person.email, tracking: person.consent?.tracking, sentAt: message.sentAt?.getTime() } : undefined;
}

/**
 * Records an open or a click of a sent email as an `email_open` /
 * `email_click` event of its recipient, through the same ingestion as
 * POST /v1/events (stored, scored, seen by journeys). Nothing is recorded for
 * a person whose tracking consent is false (read now, not when the email was
 * sent), nor for a security scanner's click as the email arrives. The event
 * id makes an email's opens one event and a link's clicks one per window.
 */
export async function recordEmailInteraction(delivery: DeliveryTarget, input: TrackedInteraction): Promise<TrackingResult> {
  const recipient = await recipientOf(input.messageId);
  if (!recipient) return 'unknown_recipient';
  if (recipient.tracking === false) return 'no_tracking_consent';
  if (input.url !== undefined && isScannerClick(input.userAgent, recipient.sentAt, input.now)) return 'scanner';
  const event =
    input.url === undefined
      ? { eventId: openEventId(input.messageId), type: 'email_open' as const, properties: { messageId: input.messageId } }
      : { eventId: clickEventId(input.messageId, input.url, input.now), type: 'email_click' as const, properties: { messageId: input.messageId, url: input.url } };
  const result = await ingestEvents(delivery, [{ ...event, occurredAt: new Date(input.now).toISOString(), person: { email: recipient.email } }]);
  // Also for a replayed click, in case the first stopped between the two writes.
  if (input.url !== undefined && !result.rejected.length) await OutboundMessage.updateOne({ _id: input.messageId, clickedAt: op({ $exists: false }) }, { $set: { clickedAt: new Date(input.now) } });
  return result.accepted ? 'recorded' : result.rejected.length ? 'rejected' : 'duplicate';
}
