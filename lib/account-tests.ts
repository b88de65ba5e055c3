import { Condition, evaluate } from '../domain/condition';
import { accountContext } from '../domain/entity-context';
import type { SplitTest } from '../domain/journeys/nodes/effects';
import { matchAccount } from '../domain/segments/evaluate';
import { Account } from '../models/account';
import { BuyingGroup } from '../models/buying-group';

/*
 * Journey tests on an account as it is now: split branches and exit rules,
 * for the journey workflow (as activities) and the dry run alike.
 */

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
