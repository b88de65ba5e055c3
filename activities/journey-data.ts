import { Condition, evaluate } from '../domain/condition';
import { accountContext } from '../domain/entity-context';
import type { z } from 'zod';
import type { splitTestSchema } from '../domain/journeys/definition';
import { matchAccount } from '../domain/segments/evaluate';
import { Account } from '../models/account';
import { BuyingGroup } from '../models/buying-group';
import { JourneyInstance } from '../models/journey';
import type { InstanceStatus, JourneyStep } from '../workflows/journey-messages';

type SplitTest = z.infer<typeof splitTestSchema>;

/** Steps kept per instance in the projection. */
const HISTORY_KEPT = 100;

async function accountFacts(accountKey: string) {
  const [account, groups] = await Promise.all([Account.findOne({ _id: accountKey }).lean(), BuyingGroup.find({ accountKey }, { solutionInterest: 1, status: 1, missingRoles: 1 }).lean()]);
  return {
    account: accountContext(account) ?? { key: accountKey },
    score: (account?.score as { total?: number } | undefined)?.total ?? 0,
    buyingGroups: groups.map((g) => ({ solutionInterest: g.solutionInterest, complete: g.status !== 'incomplete', missingRoles: g.missingRoles ?? [] })),
  };
}

/** Index of the first split test the account meets now, or -1 for "otherwise". */
export async function evaluateSplit(input: { accountKey: string; tests: SplitTest[] }): Promise<number> {
  const facts = await accountFacts(input.accountKey);
  return input.tests.findIndex((t) => {
    if ('score' in t) return facts.score >= t.score.gte;
    if ('buyingGroup' in t) return matchAccount(t, { account: facts.account, people: [], buyingGroups: facts.buyingGroups }, Date.now()).match;
    return evaluate(t as Condition, { account: facts.account });
  });
}

/** Whether the account meets a condition now (a journey's exit rule). */
export async function accountMatches(input: { accountKey: string; condition: Condition }): Promise<boolean> {
  return evaluate(input.condition, { account: (await accountFacts(input.accountKey)).account });
}

/** Keeps the instance projection current; only its own workflow writes it. */
export async function recordJourneyStep(input: { workflowId: string; journeyId: string; version: number; accountKey: string; nodeId: string; status: InstanceStatus; step?: JourneyStep }): Promise<void> {
  const current = await JourneyInstance.findOne({ _id: input.workflowId }, { history: 1 }).lean();
  const before: JourneyStep[] = current?.history ?? [];
  const last = before[before.length - 1];
  // A retried call finds its step already there.
  const again = input.step && last && last.nodeId === input.step.nodeId && last.at === input.step.at;
  const history = input.step && !again ? [...before, input.step].slice(-HISTORY_KEPT) : before;
  await JourneyInstance.updateOne(
    { _id: input.workflowId },
    { $set: { journeyId: input.journeyId, accountKey: input.accountKey, version: input.version, nodeId: input.nodeId, status: input.status, history, updatedAt: new Date() } },
    { upsert: true },
  );
}
