import type { Candidate, Overrides } from '../domain/buying-groups/assign';
import type { BuyingGroupFacts } from '../domain/segments/evaluate';
import { handOverMessages, judgeGroup } from '../lib/buying-group-judgement';
import { writeEach } from '../lib/each-statement';
import { roleTemplates } from '../lib/role-template-store';
import { BuyingGroup, BuyingGroupOverride } from '../models/buying-group';
import type { NewMessage } from '../lib/deliveries';

/**
 * Re-evaluates the buying groups of one account from its people as they are
 * now (called by the account's entity workflow with every batch and refresh,
 * so groups follow titles, identities and merges within seconds). Groups are
 * found by their own accountKey, not listed on the account: on the embedded
 * database an update rewrites the whole document, so every document keeps a
 * single writer (the account's, here the workflow's) or loses updates. The first
 * completion writes the hand-over to sales as an outbound message whose id is
 * the group's: replays, retries and later completions record it once.
 */
export async function refreshAccountGroups(
  accountKey: string,
  candidates: readonly Candidate[],
  now: Date,
  opts: { fresh: boolean; atLeast?: number },
  deliver: (messages: NewMessage[]) => Promise<unknown>,
): Promise<BuyingGroupFacts[]> {
  let templates = await roleTemplates(opts);
  // No template, no group: the common case costs no read.
  if (templates.revision === 0) return [];
  const groups = await BuyingGroup.find({ accountKey }).lean();
  // A group set up a moment ago may name a template this worker has not read yet.
  if (groups.some((g) => !templates.byKey.has(g.templateKey))) templates = await roleTemplates({ fresh: true });
  const facts: BuyingGroupFacts[] = [];
  const writes: { _id: string; set: Record<string, unknown> }[] = [];
  for (const g of groups) {
    const template = templates.byKey.get(g.templateKey);
    if (!template) continue;
    const overrides: Overrides = Object.fromEntries((await BuyingGroupOverride.find({ groupId: g._id }).lean()).map((o) => [o.personId, o.role ?? null]));
    const judged = judgeGroup(g, template, candidates, overrides, now);
    facts.push(judged.facts);
    // Before the group is marked shared: a retried batch records the same messages, which changes nothing.
    if (judged.shareNow) await deliver(await handOverMessages(g, judged.state));
    if (judged.set) writes.push({ _id: g._id, set: judged.set });
  }
  await writeEach(writes, (w) => BuyingGroup.updateOne({ _id: w._id }, { $set: w.set }));
  return facts;
}
