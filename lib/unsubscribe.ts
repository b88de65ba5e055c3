import { changeConsent, type ConsentOrigin } from './consent-store';
import type { DeliveryTarget } from './deliver-events';
import { recheckPeople } from './nurture-recheck';
import { suppress } from './suppressions';
import { EmailTemplate } from '../models/email-template';
import { OutboundMessage } from '../models/outbound-message';
import { Person } from '../models/person';

/** Where an unsubscribe link leads: the person, the topic of the email it came in, the topic's name. */
export async function unsubscribeTarget(messageId: string) {
  const m = await OutboundMessage.findOne({ _id: messageId }, { personId: 1, payload: 1 }).lean();
  const person = m?.personId ? await Person.findOne({ _id: m.personId }, { email: 1 }).lean() : null;
  if (!m || !person?.email) return undefined;
  const template = await EmailTemplate.findOne({ _id: String((m.payload as { template?: string }).template) }, { topic: 1 }).lean();
  return { messageId, personId: person._id, email: person.email, topic: template?.topic ?? undefined };
}

/**
 * Unsubscribes a person from a topic (or from all marketing email): their
 * consent says no, the address is suppressed for that scope, and their email
 * still waiting to go out (pending or deferred) of that scope is suppressed now;
 * the nurture streams they are on judge them at once.
 */
export async function unsubscribe(
  delivery: DeliveryTarget,
  target: NonNullable<Awaited<ReturnType<typeof unsubscribeTarget>>>,
  scope: 'topic' | 'all',
  origin: ConsentOrigin,
): Promise<{ scope: string; suppressedWaiting: number }> {
  const topic = scope === 'topic' && target.topic ? target.topic : undefined;
  await changeConsent(target.personId, topic ? { topics: { [topic]: false } } : { email: false }, origin);
  await suppress({ email: target.email, personId: target.personId, scope: topic ?? 'all', reason: 'unsubscribed', source: `${origin.source}:${target.messageId}` });
  const waiting = (await OutboundMessage.find({ personId: target.personId }, { status: 1, channel: 1, payload: 1 }).lean()).filter((m) => m.channel === 'email' && (m.status === 'pending' || m.status === 'deferred'));
  const topics = new Map((await EmailTemplate.find({}, { topic: 1 }).lean()).map((t) => [t._id, t.topic ?? undefined]));
  const inScope = waiting.filter((m) => !topic || topics.get(String((m.payload as { template?: string }).template)) === topic);
  for (const m of inScope) {
    await OutboundMessage.updateOne({ _id: m._id, status: m.status }, { $set: { status: 'suppressed', reason: `unsubscribed (${topic ? `topic ${topic}` : 'all marketing email'})`, updatedAt: new Date() }, $unset: { queue: 1 } });
  }
  await recheckPeople(delivery, [target.personId]);
  return { scope: topic ?? 'all', suppressedWaiting: inScope.length };
}
