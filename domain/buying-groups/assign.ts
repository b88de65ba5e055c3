import { ConditionContext, evaluate } from '../condition';
import type { RoleTemplate, TemplateRole } from './template';

export interface Candidate {
  personId: string;
  /** The person (and its account) as the Condition language sees them. */
  context: ConditionContext;
  /** The person's behaviour points: what the group's engagement adds up. */
  behavior: number;
}

/** Manual choices by personId: a pinned role, or null for "not in this group". */
export type Overrides = Record<string, string | null>;

export interface GroupMember {
  personId: string;
  role: string;
  manual?: true;
  /** The next role this person fits, shown so a marketer sees the alternative. */
  runnerUp?: string;
}

export interface GroupState {
  members: GroupMember[];
  missingRoles: string[];
  /** Weighted share of roles filled, 0-100. */
  completeness: number;
  engagement: number;
  /** completeness ≥ completeAt and no required role missing. */
  complete: boolean;
}

/**
 * The roles a person fits, best first: highest weight, then the order of the
 * template. Deterministic, so every refresh of the same facts gives the same group.
 */
export function rolesFor(template: RoleTemplate, context: ConditionContext): TemplateRole[] {
  return template.roles
    .map((role, order) => ({ role, order }))
    .filter(({ role }) => evaluate(role.when, context))
    .sort((a, b) => b.role.weight - a.role.weight || a.order - b.order)
    .map(({ role }) => role);
}

/** Builds a group from the people of its account, manual choices first. */
export function assembleGroup(template: RoleTemplate, candidates: readonly Candidate[], overrides: Overrides = {}): GroupState {
  const order = new Map(template.roles.map((r, i) => [r.role, i]));
  const members: GroupMember[] = [];
  let engagement = 0;
  for (const c of candidates) {
    const pinned = overrides[c.personId];
    if (pinned === null) continue;
    const fits = rolesFor(template, c.context);
    let member: GroupMember | undefined;
    if (pinned !== undefined && order.has(pinned)) {
      const runnerUp = fits.find((r) => r.role !== pinned)?.role;
      member = { personId: c.personId, role: pinned, manual: true, ...(runnerUp ? { runnerUp } : {}) };
    } else if (fits.length) {
      member = { personId: c.personId, role: fits[0].role, ...(fits[1] ? { runnerUp: fits[1].role } : {}) };
    }
    if (!member) continue;
    members.push(member);
    engagement += c.behavior;
  }
  members.sort((a, b) => order.get(a.role)! - order.get(b.role)! || a.personId.localeCompare(b.personId));
  const filled = new Set(members.map((m) => m.role));
  const total = template.roles.reduce((s, r) => s + r.weight, 0);
  const got = template.roles.filter((r) => filled.has(r.role)).reduce((s, r) => s + r.weight, 0);
  const completeness = Math.round((100 * got) / total);
  const missing = template.roles.filter((r) => !filled.has(r.role));
  const complete = completeness >= template.completeAt && !missing.some((r) => r.required);
  return { members, missingRoles: missing.map((r) => r.role), completeness, engagement, complete };
}

export type GroupStatus = 'incomplete' | 'complete' | 'shared_with_sales';

/**
 * The status after an evaluation, and whether to share now: a group is shared
 * with sales the first time it completes and never again (a drop and a second
 * completion are history, not a second hand-over).
 */
export function nextGroupStatus(template: RoleTemplate, state: GroupState, alreadyShared: boolean): { status: GroupStatus; shareNow: boolean } {
  if (!state.complete) return { status: 'incomplete', shareNow: false };
  if (!template.shareWithSales) return { status: 'complete', shareNow: false };
  return { status: 'shared_with_sales', shareNow: !alreadyShared };
}
