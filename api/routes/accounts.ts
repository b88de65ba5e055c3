import { decidesSalesVisibility, restrictedToOwnAccounts } from '../../domain/roles';
import { requestRefresh } from '../../lib/deliver-events';
import { accountJourneys } from '../../lib/profile-links';
import { Account } from '../../models/account';
import { BuyingGroup } from '../../models/buying-group';
import { AuditEntry } from '../../models/audit-entry';
import type { AuthContext } from '../auth';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { AccountInput, AccountKeyParams, AccountProfile } from '../schemas/accounts';
import { z } from '../zod';
import { groupView } from '../schemas/buying-groups';

const ATTRIBUTE_FIELDS = ['name', 'domain', 'industry', 'employees', 'annualRevenue', 'fundingRound', 'country', 'tier', 'ownerId'] as const;

/** Sales keys read only accounts they own: anything else is forbidden, not hidden. */
export function assertMayRead(auth: AuthContext, account: { ownerId?: string | null } | null): void {
  if (restrictedToOwnAccounts(auth.role) && (!account || !auth.ownerId || account.ownerId !== auth.ownerId)) {
    throw ApiError.forbidden('sales keys may read only the accounts they own');
  }
}

/** Who owns an account decides which sales rep sees it: a source may repeat the owner, not change it. */
async function assertMaySetOwner(auth: AuthContext, accountKey: string, ownerId: string | undefined): Promise<void> {
  if (ownerId === undefined || decidesSalesVisibility(auth.role)) return;
  const current = await Account.findOne({ _id: accountKey }, { ownerId: 1 }).lean();
  if ((current?.ownerId ?? undefined) === ownerId) return;
  throw ApiError.forbidden(`role '${auth.role}' may not change an account's owner`, [{ path: 'ownerId', message: `an ${auth.role} key may not change the owner; admin and marketer keys may` }]);
}

export async function audit(auth: AuthContext, action: string, resource: string): Promise<void> {
  await AuditEntry.create({ at: new Date(), keyId: auth.keyId, role: auth.role, action, resource });
}

const accountKey = { accountKey: '$response.body#/accountKey' };
const ACCOUNT_LINKS = { profile: linkTo('get', '/v1/accounts/:accountKey', accountKey), buyingGroups: linkTo('get', '/v1/accounts/:accountKey/buying-groups', accountKey) };

export function accountRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/accounts/:accountKey',
    tag: 'Accounts',
    summary: 'Create or update an account',
    roles: ['admin', 'marketer', 'ingest'],
    params: AccountKeyParams,
    body: AccountInput,
    responses: {
      200: { description: 'updated', schema: z.object({ accountKey: z.string() }), links: ACCOUNT_LINKS },
      201: { description: 'created', schema: z.object({ accountKey: z.string() }), links: ACCOUNT_LINKS },
    },
    handler: async ({ params, body, auth }) => {
      await assertMaySetOwner(auth, params.accountKey, body.ownerId);
      const result = await Account.updateOne({ _id: params.accountKey }, { $set: body }, { upsert: true, runValidators: true });
      // Account fit rules may have changed their verdict.
      await requestRefresh(deps.delivery, { kind: 'account', accountKey: params.accountKey }, 'account updated');
      return { status: result.upsertedCount ? 201 : 200, body: { accountKey: params.accountKey } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/accounts/:accountKey',
    tag: 'Profiles',
    summary: 'The 360 view of an account (audited)',
    roles: ['admin', 'marketer', 'sales', 'operator'],
    params: AccountKeyParams,
    responses: { 200: { description: 'the account', schema: AccountProfile } },
    handler: async ({ params, auth }) => {
      const account = await Account.findOne({ _id: params.accountKey }).lean();
      assertMayRead(auth, account);
      if (!account) throw ApiError.notFound(`account '${params.accountKey}'`);
      // The audit entry and the rest of the profile side by side: each waits its turn at the database, and nothing is answered unless all three succeed.
      const [, buyingGroups, journeys] = await Promise.all([
        audit(auth, 'read', `account:${params.accountKey}`),
        BuyingGroup.find({ accountKey: account._id }).sort({ _id: 1 }).lean(),
        accountJourneys(account._id),
      ]);
      const attributes: Record<string, unknown> = { ...(account.attributes ?? {}) };
      for (const f of ATTRIBUTE_FIELDS) if (account[f] !== undefined && account[f] !== null) attributes[f] = account[f];
      return {
        status: 200,
        body: {
          accountKey: account._id,
          attributes,
          activity: account.activity ?? { total: 0, byType: {} },
          lastActivityAt: account.lastActivityAt?.toISOString() ?? null,
          score: account.score ?? null,
          engagement: account.engagement ?? null,
          buyingGroups: buyingGroups.map(groupView),
          recentlyActiveContacts: account.recentlyActiveContacts ?? [],
          topInterests: account.topInterests ?? [],
          journeys,
          owner: account.ownerId ?? null,
        },
      };
    },
  });
}
