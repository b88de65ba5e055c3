import { BuyingGroup } from '../models/buying-group';
import { JourneyInstance } from '../models/journey';
import { NurtureEnrolment, type NurtureEnrolmentDoc } from '../models/nurture-enrolment';
import { NurtureStream } from '../models/nurture-stream';
import { findEach } from './each-statement';
import type { StreamDoc } from './nurture-store';

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
  return groupsHeldBy(personId, await accountBuyingGroups(accountKey));
}

type StoredGroup = { _id: string; name: string; solutionInterest: string; members?: unknown; status: string };

/** An account's buying groups as a person's roles are read from them, in a stable order. */
export async function accountBuyingGroups(accountKey: string): Promise<StoredGroup[]> {
  return BuyingGroup.find({ accountKey }, { name: 1, solutionInterest: 1, members: 1, status: 1 }).sort({ _id: 1 }).lean() as Promise<StoredGroup[]>;
}

/** The groups, of those read for the person's account, in which the person holds a role. */
export function groupsHeldBy(personId: string, groups: readonly StoredGroup[]): ProfileBuyingGroup[] {
  return groups.flatMap((g) => {
    const member = ((g.members ?? []) as { personId: string; role: string; manual?: boolean }[]).find((m) => m.personId === personId);
    return member ? [{ id: g._id, name: g.name, solutionInterest: g.solutionInterest, role: member.role, manual: member.manual === true, status: g.status }] : [];
  });
}

/** The nurture streams a person is or was on, each with its stream (read by `_id`); streams deleted since are left out. */
export async function personStreams(personId: string): Promise<{ stream: StreamDoc; enrolment: NurtureEnrolmentDoc }[]> {
  const enrolments = (await NurtureEnrolment.find({ personId }).lean()) as NurtureEnrolmentDoc[];
  const streams = new Map((await findEach(enrolments.map((e) => e.streamId), (_id) => NurtureStream.find({ _id }).lean())).map((s) => [s._id, s as StreamDoc]));
  return enrolments.flatMap((enrolment) => {
    const stream = streams.get(enrolment.streamId);
    return stream ? [{ stream, enrolment }] : [];
  });
}
