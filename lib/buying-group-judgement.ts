import { assembleGroup, Candidate, GroupState, nextGroupStatus, Overrides } from '../domain/buying-groups/assign';
import type { RoleTemplate } from '../domain/buying-groups/template';
import type { BuyingGroupFacts } from '../domain/segments/evaluate';
import { sharedGroupMessages } from './crm-sync';
import type { NewMessage } from './deliveries';
import { sameAsStored } from './same-stored';

/** Status changes kept per group. */
const HISTORY = 50;

export type StoredGroup = Record<string, any> & { _id: string; accountKey: string; name: string; solutionInterest: string };

export interface GroupJudgement {
  /** What segments and journeys test of the group. */
  facts: BuyingGroupFacts;
  state: GroupState;
  /** Its first completion: the hand-over to sales is recorded before the group is written. */
  shareNow: boolean;
  /** The fields to write; none when the group is as stored. */
  set?: Record<string, unknown>;
}

const sameState = (g: StoredGroup, s: GroupState, status: string) =>
  g.status === status && g.completeness === s.completeness && g.engagement === s.engagement && sameAsStored(g.members, s.members) && sameAsStored(g.missingRoles, s.missingRoles);

/** A group judged from its account's people as they are now, against what is stored of it. */
export function judgeGroup(g: StoredGroup, template: RoleTemplate, candidates: readonly Candidate[], overrides: Overrides, now: Date): GroupJudgement {
  const state = assembleGroup(template, candidates, overrides);
  const { status, shareNow } = nextGroupStatus(template, state, !!g.sharedAt);
  const facts = { solutionInterest: g.solutionInterest, complete: state.complete, missingRoles: state.missingRoles };
  if (sameState(g, state, status) && !shareNow) return { facts, state, shareNow };
  const history = g.status === status ? g.history : [...(g.history ?? []), { at: now, from: g.status, to: status, completeness: state.completeness }].slice(-HISTORY);
  return {
    facts,
    state,
    shareNow,
    set: { members: state.members, missingRoles: state.missingRoles, completeness: state.completeness, engagement: state.engagement, status, history, evaluatedAt: now, ...(shareNow ? { sharedAt: now } : {}) },
  };
}

/**
 * A group's first completion told to sales and to every CRM connection that
 * syncs groups. The ids are the group's, so recording them again (a retry, a
 * second writer) changes nothing.
 */
export async function handOverMessages(g: StoredGroup, state: GroupState): Promise<NewMessage[]> {
  const shared = { groupId: g._id, accountKey: g.accountKey, name: g.name, completeness: state.completeness, missingRoles: state.missingRoles, members: state.members };
  return [
    {
      _id: `buying_group.shared:${g._id}`,
      channel: 'sales',
      type: 'buying_group.shared',
      accountKey: g.accountKey,
      payload: { groupId: g._id, name: g.name, solutionInterest: g.solutionInterest, completeness: state.completeness, members: state.members },
    },
    ...(await sharedGroupMessages(shared)),
  ];
}
