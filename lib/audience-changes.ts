import { hashedEmail } from '../domain/audience/hash';
import { audienceMessage, followingChanges, seedChanges, type AudienceChangeOrder } from '../domain/audience/changes';
import type { MembershipChange } from '../domain/segments/membership';
import { AudienceMember } from '../models/audience';
import { Person } from '../models/person';
import { audienceFollowers } from './audiences';
import type { NewMessage } from './deliveries';
import { findEach } from './each-statement';

type Reachable = { _id: string; email?: string | null; accountKey?: string | null };

/**
 * Messages for the orders, each with the identity hashed now: an addition the
 * person's current email, a removal what the platform was given (else the
 * current email). A person without an email is not matchable: no message.
 */
async function messagesFor(orders: readonly AudienceChangeOrder[], people: ReadonlyMap<string, Reachable>): Promise<NewMessage[]> {
  const removals = orders.filter((o) => o.action === 'REMOVE').map((o) => `${o.audienceKey}:${o.personId}`);
  const added = new Map((await findEach(removals, (_id) => AudienceMember.find({ _id }, { sha256Email: 1 }).lean())).map((m) => [m._id, m.sha256Email]));
  return orders.flatMap((o) => {
    const person = people.get(o.personId);
    const current = person?.email ? hashedEmail(person.email) : undefined;
    const sha256Email = o.action === 'REMOVE' ? (added.get(`${o.audienceKey}:${o.personId}`) ?? current) : current;
    return sha256Email ? [audienceMessage(o, sha256Email, person?.accountKey)] : [];
  });
}

/**
 * What an entity batch's segment entries and exits send to the audiences
 * following those segments; ids derive from the segment change ids, so a
 * retried batch records nothing twice. Costs nothing when no audience follows.
 */
export async function audienceChangeMessages(changes: readonly MembershipChange[], batchId: string, people: ReadonlyMap<string, Reachable>): Promise<NewMessage[]> {
  if (!changes.length) return [];
  const orders = followingChanges(changes, await audienceFollowers(), batchId);
  return orders.length ? messagesFor(orders, people) : [];
}

const readPeople = async (ids: readonly string[]) => new Map((await findEach(ids, (_id) => Person.find({ _id }, { email: 1, accountKey: 1 }).lean())).map((p) => [p._id, p as Reachable]));

/** What makes an audience equal to its segment's members at the start of following it (see domain seedChanges). */
export async function seedMessages(audienceKey: string, seed: string, segmentMembers: readonly string[]): Promise<NewMessage[]> {
  const onPlatform = (await AudienceMember.find({ audienceKey }, { personId: 1 }).lean()).map((m) => m.personId);
  const orders = seedChanges(audienceKey, seed, segmentMembers, onPlatform);
  return messagesFor(orders, await readPeople(orders.map((o) => o.personId)));
}

/** A journey's additions: one per person, id `<node visit key>:<personId>`. */
export async function journeyAdditions(visitKey: string, audienceKey: string, personIds: readonly string[]): Promise<NewMessage[]> {
  const orders = personIds.map((personId) => ({ id: `${visitKey}:${personId}`, audienceKey, personId, action: 'ADD' as const }));
  return messagesFor(orders, await readPeople(personIds));
}
