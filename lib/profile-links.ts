import { BuyingGroup } from '../models/buying-group';
import { JourneyInstance } from '../models/journey';

/**
 * What a profile links to: the journeys an account is or was on (from the
 * instances projection the journey workflows keep) and the buying groups a
 * person holds a role in. Both read by top-level equality on accountKey.
 */
export interface ProfileJourney {
  journeyId: string;
  version: number;
  nodeId: string;
  status: string;
  updatedAt: string;
}

export interface ProfileBuyingGroup {
  id: string;
  name: string;
  solutionInterest: string;
  role: string;
  manual: boolean;
  status: string;
}

export async function accountJourneys(accountKey: string | null | undefined): Promise<ProfileJourney[]> {
  if (!accountKey) return [];
  const instances = await JourneyInstance.find({ accountKey }, { journeyId: 1, version: 1, nodeId: 1, status: 1, updatedAt: 1 }).sort({ journeyId: 1 }).lean();
  return instances.map((i) => ({ journeyId: i.journeyId, version: i.version, nodeId: i.nodeId, status: i.status, updatedAt: i.updatedAt.toISOString() }));
}

export async function personBuyingGroups(personId: string, accountKey: string | null | undefined): Promise<ProfileBuyingGroup[]> {
  if (!accountKey) return [];
  const groups = await BuyingGroup.find({ accountKey }, { name: 1, solutionInterest: 1, members: 1, status: 1 }).sort({ _id: 1 }).lean();
  return groups.flatMap((g) => {
    const member = ((g.members ?? []) as { personId: string; role: string; manual?: boolean }[]).find((m) => m.personId === personId);
    return member ? [{ id: g._id, name: g.name, solutionInterest: g.solutionInterest, role: member.role, manual: member.manual === true, status: g.status }] : [];
  });
}
