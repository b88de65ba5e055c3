import { eventIs, type AccountEvent } from '../domain/events';
import { TOPIC_KEY } from '../domain/email/consent';
import { changeConsent, unknownTopics } from './consent-store';
import { currentPerson } from './current-person';
import type { DeliveryTarget } from './deliver-events';
import { recheckPeople } from './nurture-recheck';
import { unsubscribe } from './unsubscribe';

/**
 * An `unsubscribe` event does what the unsubscribe page does: the person's
 * consent says no (source `event`, ref the event id), the address is
 * suppressed and their waiting email of that scope is suppressed. The scope
 * is the defined topic in `properties.topic`; without one (or with a topic
 * that is not defined) it is all marketing email: a person who asked to hear
 * less is never left subscribed. Applying an event twice (a retried batch, a
 * re-sent event) changes nothing more. The person's nurture streams judge them at once.
 */
export async function applyUnsubscribeEvents(delivery: DeliveryTarget, events: readonly AccountEvent[]): Promise<void> {
  for (const event of events) {
    if (!eventIs(event, 'unsubscribe')) continue;
    const person = await currentPerson(event.personId);
    if (!person) continue;
    const named = event.properties?.topic;
    const topic = typeof named === 'string' && TOPIC_KEY.test(named) && !(await unknownTopics([named])).length ? named : undefined;
    const origin = { source: 'event' as const, ref: event.eventId };
    // The suppression names what caused it: here the event, where the page names the message.
    if (person.email) await unsubscribe(delivery, { messageId: event.eventId, personId: person._id, email: person.email, topic }, topic ? 'topic' : 'all', origin);
    else {
      await changeConsent(person._id, topic ? { topics: { [topic]: false } } : { email: false }, origin);
      await recheckPeople(delivery, [person._id]);
    }
  }
}
