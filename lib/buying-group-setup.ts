import { contactsOf, groupCandidates, scoreEveryone } from '../activities/entity-batch/score';
import type { PersonRecord } from '../activities/entity-batch/read';
import { groupName, RoleTemplate } from '../domain/buying-groups/template';
import { BuyingGroup, buyingGroupId } from '../models/buying-group';
import { SegmentMember } from '../models/segment-membership';
import type { AudienceSnapshot } from './audience-snapshot';
import { handOverMessages, judgeGroup } from './buying-group-judgement';
import type { DeliveryTarget } from './deliver-events';
import { recordAndDeliver, type NewMessage } from './deliveries';
import { insertNew } from './mongo-errors';
import { activeModel } from './scoring-model-store';

/** Groups one insert carries. */
const PER_INSERT = 1000;
/** Accounts assembled between two turns of the event loop, so the API keeps answering during a large set-up. */
const PER_TURN = 200;

export interface SetUpAudience {
  accountKeys?: string[];
  segmentId?: string;
}

/** A group as first stored for an account: its name and interest, before any evaluation. */
export function newGroup(accountKey: string, accountName: string, templateKey: string, template: RoleTemplate, createdAt: Date) {
  return { _id: buyingGroupId(accountKey, templateKey), accountKey, templateKey, solutionInterest: template.solutionInterest, name: groupName(accountName, template.solutionInterest), createdAt };
}

/** The accounts a set-up is for: the ones given, or the members of an account segment; each once. */
export async function setUpAccountKeys(audience: SetUpAudience): Promise<string[]> {
  const keys = audience.accountKeys ?? (await SegmentMember.find({ segmentId: audience.segmentId }, { memberId: 1 }).lean()).map((m) => m.memberId);
  return [...new Set(keys)];
}

/**
 * Inserts the groups that do not exist yet already evaluated, assembled from
 * the preview snapshot (it holds every write acknowledged before it is asked):
 * each account's contacts scored as of now and judged by the same code the
 * account's workflow runs, so a marketer sees members and completeness at once.
 * The set-up job then asks every account's workflow to evaluate its group,
 * which finds it as judged or corrects it for what was written since. Groups
 * that exist are left to their workflow, their only writer. A group complete
 * already records its hand-over to sales before it is inserted, by the ids the
 * workflow would use, so either writer records it once.
 */
export async function insertEvaluatedGroups(snapshot: AudienceSnapshot, target: DeliveryTarget, templateKey: string, template: RoleTemplate, accountKeys: readonly string[]): Promise<void> {
  const now = Date.now();
  const at = new Date(now);
  const scoring = await activeModel();
  const wanted = accountKeys.filter((key) => snapshot.accounts.has(key) && !snapshot.groupDocs.get(key)?.some((g) => g._id === buyingGroupId(key, templateKey)));
  const contacts = contactsByAccount(snapshot, new Set(wanted));
  const groups: Record<string, unknown>[] = [];
  const handOvers: NewMessage[] = [];
  for (let i = 0; i < wanted.length; i++) {
    if (i > 0 && i % PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const accountKey = wanted[i];
    const account = snapshot.accounts.get(accountKey) as PersonRecord;
    const scores = scoreEveryone({ entity: { kind: 'account', accountKey }, now, scoring, account, people: contacts.get(accountKey) ?? new Map(), events: [] });
    // As stored before any evaluation (the schema's defaults), so it is judged as the workflow would judge it.
    const empty = { ...newGroup(accountKey, String(account.name), templateKey, template, at), members: [], missingRoles: [], completeness: 0, engagement: 0, status: 'incomplete', history: [] };
    const judged = judgeGroup(empty, template, groupCandidates(contactsOf(scores, accountKey)), {}, at);
    if (judged.shareNow) handOvers.push(...(await handOverMessages(empty, judged.state)));
    groups.push({ ...empty, ...judged.set, evaluatedAt: at });
  }
  if (handOvers.length) await recordAndDeliver(target, handOvers);
  for (let i = 0; i < groups.length; i += PER_INSERT) await insertNew((docs) => BuyingGroup.insertMany(docs, { ordered: false }), groups.slice(i, i + PER_INSERT));
}

function contactsByAccount(snapshot: AudienceSnapshot, accounts: ReadonlySet<string>): Map<string, Map<string, PersonRecord>> {
  const byAccount = new Map<string, Map<string, PersonRecord>>();
  for (const p of snapshot.people.values()) {
    if (!p.accountKey || !accounts.has(p.accountKey)) continue;
    const people = byAccount.get(p.accountKey) ?? new Map<string, PersonRecord>();
    people.set(p.id, p.doc);
    byAccount.set(p.accountKey, people);
  }
  return byAccount;
}
