import { ApplicationFailure, Context } from '@temporalio/activity';
import type { RoleTemplate } from '../domain/buying-groups/template';
import { DeliveryTarget, requestRefresh } from '../lib/deliver-events';
import { eachResumable } from '../lib/each-statement';
import { insertNew } from '../lib/mongo-errors';
import { readTemplates } from '../lib/role-template-store';
import { Account } from '../models/account';
import { BuyingGroup } from '../models/buying-group';
import { newGroup, setUpAccountKeys, type SetUpAudience } from '../lib/buying-group-setup';

export interface RefreshBuyingGroupsInput extends SetUpAudience {
  templateKey: string;
}

export interface RefreshBuyingGroupsResult {
  accounts: number;
  created: number;
  /** Account keys given that name no account. */
  unknown: number;
}

/** Creates the account's group for the template unless it exists, and asks the account's workflow to evaluate it now. */
export async function setUpGroup(target: DeliveryTarget, accountKey: string, templateKey: string, template: RoleTemplate, templatesRevision: number): Promise<'created' | 'kept' | 'unknown'> {
  const account = await Account.findOne({ _id: accountKey }, { name: 1 }).lean();
  if (!account) return 'unknown';
  const [isNew] = await insertNew(
    (docs) => BuyingGroup.insertMany(docs),
    [newGroup(accountKey, account.name, templateKey, template, new Date())],
  );
  await requestRefresh(target, { kind: 'account', accountKey }, `buying group ${templateKey}`, { templates: templatesRevision });
  return isNew ? 'created' : 'kept';
}

/**
 * Creates (or keeps) one group per account for the template's interest and asks
 * each account's entity workflow to evaluate it now; from then on that workflow
 * keeps the group current with every event and refresh. A safe resume point
 * is heartbeated, so a retry skips only accounts already done.
 */
export function makeRefreshBuyingGroups(target: DeliveryTarget) {
  return async function refreshBuyingGroups(input: RefreshBuyingGroupsInput): Promise<RefreshBuyingGroupsResult> {
    const templates = await readTemplates();
    const template = templates.byKey.get(input.templateKey);
    if (!template) throw ApplicationFailure.nonRetryable(`role template '${input.templateKey}' does not exist`);
    const list = await setUpAccountKeys(input);
    const context = Context.current();
    let created = 0;
    let unknown = 0;
    await eachResumable(
      list,
      (accountKey) => accountKey,
      context.info.heartbeatDetails,
      async (accountKey) => {
        const outcome = await setUpGroup(target, accountKey, input.templateKey, template, templates.revision);
        if (outcome === 'unknown') unknown++;
        if (outcome === 'created') created++;
      },
      (resumeFrom) => context.heartbeat(resumeFrom),
    );
    return { accounts: list.length, created, unknown };
  };
}
