import { WorkflowIdReusePolicy } from '@temporalio/client';
import { checkTemplate, roleTemplateSchema, RoleTemplate } from '../../domain/buying-groups/template';
import { insertEvaluatedGroups, setUpAccountKeys } from '../../lib/buying-group-setup';
import { requestRefresh } from '../../lib/deliver-events';
import { newId } from '../../lib/ids';
import { readTemplates, saveTemplate } from '../../lib/role-template-store';
import { Account } from '../../models/account';
import { BuyingGroup, BuyingGroupOverride } from '../../models/buying-group';
import { Person } from '../../models/person';
import { RoleTemplateDoc } from '../../models/role-template';
import { Segment } from '../../models/segment';
import { buyingGroupsWorkflowId } from '../../workflows/buying-groups';
import type { buyingGroupsWorkflow } from '../../workflows/buying-groups';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { AccountKeyParams } from '../schemas/accounts';
import { Key } from '../schemas/common';
import { nonBlankText } from '../../domain/non-blank-text';
import { z } from '../zod';
import { assertMayRead, audit } from './accounts';
import { snapshotOnceFor, type SnapshotOptions } from './audience-snapshot';
import { exportIncompleteGroups } from './buying-group-export';
import { TABLE_FORMATS } from './table-download';
import { GroupView, groupView } from '../schemas/buying-groups';

const TemplateKeyParams = z.object({ key: Key });
const GroupIdParams = z.object({ id: z.string().regex(/^bg:[^/\u0000]{1,300}$/, 'must be a buying group id (bg:<account>:<template>)') });
const MemberParams = GroupIdParams.extend({ personId: z.string().regex(/^p_[A-Za-z0-9_-]{1,40}$/, 'must be a person id (p_…)') });

const SetUpInput = z
  .object({
    solutionInterest: nonBlankText(200),
    roleTemplate: Key,
    accountKeys: z.array(Key).max(10000).optional(),
    segmentId: z.string().min(1).max(60).optional(),
  })
  .strict()
  .refine((b) => !(b.accountKeys && b.segmentId), { message: 'give accountKeys or segmentId, not both', path: ['segmentId'] })
  .refine((b) => b.accountKeys || b.segmentId, { message: 'give accountKeys or an account segmentId', path: ['accountKeys'] })
  .openapi('BuyingGroupSetUp', { oneOf: [{ required: ['accountKeys'] }, { required: ['segmentId'] }] });

async function groupOrThrow(id: string) {
  const g = await BuyingGroup.findOne({ _id: id }).lean();
  if (!g) throw ApiError.notFound(`buying group '${id}'`);
  return g;
}

export function buyingGroupRoutes(deps: RouteDeps, opts: SnapshotOptions): void {
  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/role-templates/:key',
    tag: 'Buying groups',
    summary: 'Create or replace a role template; groups built from it are re-evaluated within seconds',
    roles: ['admin', 'marketer'],
    params: TemplateKeyParams,
    body: roleTemplateSchema,
    checkedBeyondSchema: 'role names unique; condition fields known to person or account (person.<name>, account.<name>; attributes.* free); ranked values (fundingRound, seniority) among the known ones; conditions at most 6 levels deep',
    responses: {
      200: { description: 'replaced', schema: z.object({ key: z.string(), revision: z.number() }), links: { template: linkTo('get', '/v1/role-templates/:key', { key: '$response.body#/key' }) } },
      201: { description: 'created', schema: z.object({ key: z.string(), revision: z.number() }), links: { template: linkTo('get', '/v1/role-templates/:key', { key: '$response.body#/key' }) } },
    },
    handler: async ({ params, body }) => {
      const problems = checkTemplate(body);
      if (problems.length) throw ApiError.validation(problems, 'role template is invalid');
      const { created, revision } = await saveTemplate(params.key, body);
      if (!created) {
        const accounts = [...new Set((await BuyingGroup.find({ templateKey: params.key }, { accountKey: 1 }).lean()).map((g) => g.accountKey))];
        if (accounts.length) await startSetUp(deps, { templateKey: params.key, accountKeys: accounts }, `Re-evaluate groups of template ${params.key}`);
      }
      return { status: created ? 201 : 200, body: { key: params.key, revision } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/role-templates/:key',
    tag: 'Buying groups',
    summary: 'A role template',
    roles: ['admin', 'marketer', 'sales', 'operator'],
    params: TemplateKeyParams,
    responses: { 200: { description: 'the template', schema: roleTemplateSchema } },
    handler: async ({ params }) => {
      const doc = await RoleTemplateDoc.findOne({ _id: params.key }).lean();
      if (!doc) throw ApiError.notFound(`role template '${params.key}'`);
      return { status: 200, body: doc.template };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/buying-groups',
    tag: 'Buying groups',
    summary: 'Create or refresh one group per account (given, or members of an account segment) for a solution interest: new groups are shown at once, evaluated from the preview snapshot; every account is then evaluated again in the background',
    roles: ['admin', 'marketer'],
    body: SetUpInput,
    checkedBeyondSchema: "the role template's solutionInterest is the one given; segmentId names an account segment",
    responses: {
      200: { description: 'nothing to do (no accounts)', schema: z.object({ accounts: z.literal(0) }) },
      404: { description: 'not_found: no such role template or segment' },
      202: { description: 'started', schema: z.object({ jobId: z.string(), accounts: z.number().optional() }), links: { job: linkTo('get', '/v1/buying-groups/jobs/:jobId', { jobId: '$response.body#/jobId' }) } },
    },
    handler: async ({ body }) => {
      const template: RoleTemplate | undefined = (await readTemplates()).byKey.get(body.roleTemplate);
      if (!template) throw ApiError.notFound(`role template '${body.roleTemplate}'`);
      if (template.solutionInterest.toLowerCase() !== body.solutionInterest.toLowerCase()) {
        throw ApiError.validation([{ path: 'solutionInterest', message: `template '${body.roleTemplate}' is for '${template.solutionInterest}'` }]);
      }
      if (body.segmentId) {
        const segment = await Segment.findOne({ _id: body.segmentId }, { level: 1, deletedAt: 1 }).lean();
        if (!segment || segment.deletedAt) throw ApiError.notFound(`segment '${body.segmentId}'`);
        if (segment.level !== 'account') throw ApiError.validation([{ path: 'segmentId', message: 'must be an account segment' }]);
      }
      if (body.accountKeys?.length === 0) return { status: 200, body: { accounts: 0 } };
      await insertEvaluatedGroups(await snapshotOnceFor(deps, opts), deps.delivery, body.roleTemplate, template, await setUpAccountKeys(body));
      const jobId = await startSetUp(deps, { templateKey: body.roleTemplate, accountKeys: body.accountKeys, segmentId: body.segmentId }, `Buying groups '${template.solutionInterest}'`);
      return { status: 202, body: { jobId, ...(body.accountKeys ? { accounts: body.accountKeys.length } : {}) } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/buying-groups/jobs/:jobId',
    tag: 'Buying groups',
    summary: 'Progress of a POST /v1/buying-groups',
    roles: ['admin', 'marketer', 'operator'],
    params: z.object({ jobId: z.string().regex(/^bgjob_[A-Za-z0-9_-]{1,40}$/) }),
    responses: { 200: { description: 'status', schema: z.object({ status: z.string(), result: z.unknown().nullable() }) } },
    handler: async ({ params }) => {
      const handle = deps.delivery.client.workflow.getHandle(buyingGroupsWorkflowId(deps.delivery.taskQueue, params.jobId));
      try {
        const d = await handle.describe();
        return { status: 200, body: { status: d.status.name.toLowerCase(), result: d.status.name === 'COMPLETED' ? await handle.result() : null } };
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') throw ApiError.notFound(`job '${params.jobId}'`);
        throw err;
      }
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/accounts/:accountKey/buying-groups',
    tag: 'Buying groups',
    summary: "An account's buying groups: members and roles, missing roles, completeness, engagement, status",
    roles: ['admin', 'marketer', 'sales', 'operator'],
    params: AccountKeyParams,
    responses: {
      200: {
        description: 'groups',
        schema: z.object({ items: z.array(GroupView) }),
        links: {
          first: linkTo('get', '/v1/buying-groups/:id', { id: '$response.body#/items/0/id' }),
          firstMember: linkTo('patch', '/v1/buying-groups/:id/members/:personId', { id: '$response.body#/items/0/id', personId: '$response.body#/items/0/members/0/personId' }),
        },
      },
    },
    handler: async ({ params, auth }) => {
      const account = await Account.findOne({ _id: params.accountKey }, { ownerId: 1 }).lean();
      assertMayRead(auth, account);
      if (!account) throw ApiError.notFound(`account '${params.accountKey}'`);
      const groups = await BuyingGroup.find({ accountKey: params.accountKey }).sort({ _id: 1 }).lean();
      return { status: 200, body: { items: groups.map(groupView) } };
    },
  });

  // Before /:id, which would take 'export' for an id.
  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/buying-groups/export',
    tag: 'Buying groups',
    summary: 'Accounts of incomplete groups with their people, for matched-audience and role-filtered campaigns (CSV or NDJSON, streamed; audited)',
    roles: ['admin', 'marketer'],
    query: z.object({ solutionInterest: nonBlankText(200), missingRole: nonBlankText(100).optional(), format: z.enum(TABLE_FORMATS).default('csv') }),
    responses: { 200: { description: 'one line per person of an incomplete group' } },
    handler: async ({ query, res, auth }) => {
      await audit(auth, 'export', `buying-groups:${query.solutionInterest}${query.missingRole ? `:missing:${query.missingRole}` : ''}`);
      await exportIncompleteGroups(res, query);
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/buying-groups/:id',
    tag: 'Buying groups',
    summary: 'One buying group',
    roles: ['admin', 'marketer', 'sales', 'operator'],
    params: GroupIdParams,
    responses: { 200: { description: 'the group', schema: GroupView } },
    handler: async ({ params, auth }) => {
      const g = await groupOrThrow(params.id);
      assertMayRead(auth, await Account.findOne({ _id: g.accountKey }, { ownerId: 1 }).lean());
      return { status: 200, body: groupView(g) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'patch',
    path: '/v1/buying-groups/:id/members/:personId',
    tag: 'Buying groups',
    summary: "Pin a person's role ({role}) or take the person out ({role: null}); survives automatic refreshes",
    roles: ['admin', 'marketer', 'sales'],
    params: MemberParams,
    body: z.object({ role: nonBlankText(100).nullable() }).strict(),
    responses: { 202: { description: 'recorded; the group is re-evaluated within seconds', schema: z.object({ personId: z.string(), role: z.string().nullable(), manual: z.literal(true) }) } },
    handler: async ({ params, body, auth }) => {
      const g = await groupOrThrow(params.id);
      assertMayRead(auth, await Account.findOne({ _id: g.accountKey }, { ownerId: 1 }).lean());
      const template = (await readTemplates()).byKey.get(g.templateKey);
      if (body.role !== null && !template?.roles.some((r) => r.role === body.role)) {
        throw ApiError.validation([{ path: 'role', message: `'${body.role}' is not a role of template '${g.templateKey}': ${template?.roles.map((r) => r.role).join(', ')}` }]);
      }
      const person = await Person.findOne({ _id: params.personId }, { accountKey: 1 }).lean();
      if (!person || person.accountKey !== g.accountKey) throw ApiError.notFound(`person '${params.personId}' in account '${g.accountKey}'`);
      await BuyingGroupOverride.updateOne({ _id: `${g._id}:${params.personId}` }, { $set: { groupId: g._id, personId: params.personId, role: body.role, at: new Date() } }, { upsert: true });
      await requestRefresh(deps.delivery, { kind: 'account', accountKey: g.accountKey }, `buying group override ${g._id}`);
      return { status: 202, body: { personId: params.personId, role: body.role, manual: true } };
    },
  });
}

async function startSetUp(deps: RouteDeps, input: Parameters<typeof buyingGroupsWorkflow>[0], why: string): Promise<string> {
  const jobId = newId('bgjob');
  await deps.delivery.client.workflow.start<typeof buyingGroupsWorkflow>('buyingGroupsWorkflow', {
    workflowId: buyingGroupsWorkflowId(deps.delivery.taskQueue, jobId),
    taskQueue: deps.delivery.taskQueue,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    staticSummary: why,
  });
  return jobId;
}
