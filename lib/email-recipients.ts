import { op } from './query';
import { BuyingGroup } from '../models/buying-group';
import { Person } from '../models/person';
import { SegmentMember } from '../models/segment-membership';

export type Recipients = 'allContacts' | { role: string } | { segmentId: string };

/**
 * The people of an account an email goes to (api: the `to` of a journey's
 * sendEmail): all its contacts, the members of its buying groups with a role,
 * or those of its people in a person segment. Each person once, in a stable order.
 */
export async function recipientsAt(accountKey: string, to: Recipients | undefined): Promise<string[]> {
  const people = (await Person.find({ accountKey, mergedInto: op({ $exists: false }) }, { _id: 1 }).lean()).map((p) => p._id);
  if (!to || to === 'allContacts') return people.sort();
  if ('role' in to) {
    const groups = await BuyingGroup.find({ accountKey }, { members: 1 }).lean();
    const members = groups.flatMap((g) => (g.members ?? []) as { personId: string; role?: string }[]).filter((m) => m.role === to.role).map((m) => m.personId);
    return [...new Set(members)].filter((id) => people.includes(id)).sort();
  }
  const inSegment = new Set((await SegmentMember.find({ segmentId: to.segmentId }, { memberId: 1 }).lean()).map((m) => m.memberId));
  return people.filter((id) => inSegment.has(id)).sort();
}
