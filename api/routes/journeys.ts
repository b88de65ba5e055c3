import { checkJourney } from '../../domain/journeys/graph';
import { journeySchema } from '../../domain/journeys/definition';
import { startJourney, StartOutcome } from '../../lib/journey-launch';
import { createJourney, publishDraft, saveDraft, versionOf } from '../../lib/journey-store';
import { simulateAccount } from '../../lib/journey-simulate';
import { Account } from '../../models/account';
import { Journey, JourneyInstance, JourneyVersion } from '../../models/journey';
import { SegmentMember } from '../../models/segment-membership';
import { migrateSignal, pauseSignal, resumeSignal, stopSignal } from '../../workflows/journey-messages';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { decodeCursor, Key, page, Pagination } from '../schemas/common';
import { z } from '../zod';

const JourneyParams = z.object({ id: z.string().regex(/^jny_[A-Za-z0-9_-]{1,40}$/, 'must be a journey id (jny_…)') });
const ACTIVE = ['running', 'waiting', 'paused'];
const CONCURRENCY = 16;

function checked<T extends z.infer<typeof journeySchema>>(body: T): T {
  const problems = checkJourney(body);
  if (problems.length) throw ApiError.validation(problems, 'journey is invalid');
  return body;
}

async function journeyOrThrow(id: string) {
  const j = await Journey.findOne({ _id: id }).lean();
  if (!j) throw ApiError.notFound(`journey '${id}'`);
  return j;
}

async function eachLimited<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) await run(items[i]);
  }));
}

export function journeyRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/journeys',
    tag: 'Journeys',
    summary: 'Create a journey (a draft); the graph is checked and every problem names its node',
    roles: ['admin', 'marketer'],
    body: journeySchema,
    responses: { 201: { description: 'created', schema: z.object({ id: z.string(), status: z.literal('draft') }) } },
    handler: async ({ body }) => ({ status: 201, body: { id: await createJourney(checked(body)), status: 'draft' } }),
  });

  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/journeys/:id',
    tag: 'Journeys',
    summary: 'Replace the draft (editing a published journey makes a new draft; running instances are untouched)',
    roles: ['admin', 'marketer'],
    params: JourneyParams,
    body: journeySchema,
    responses: { 200: { description: 'saved', schema: z.object({ id: z.string(), status: z.literal('draft') }) } },
    handler: async ({ params, body }) => {
      if (!(await saveDraft(params.id, checked(body)))) throw ApiError.notFound(`journey '${params.id}'`);
      return { status: 200, body: { id: params.id, status: 'draft' } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/journeys/:id',
    tag: 'Journeys',
    summary: 'A journey: its draft, its published versions and whether it runs',
    roles: ['admin', 'marketer', 'operator'],
    params: JourneyParams,
    responses: { 200: { description: 'the journey', schema: z.unknown() } },
    handler: async ({ params }) => {
      const j = await journeyOrThrow(params.id);
      const versions = (await JourneyVersion.find({ journeyId: j._id }, { version: 1, publishedAt: 1 }).lean()).sort((a, b) => a.version - b.version);
      const status = j.state !== 'active' ? j.state : j.latestVersion > 0 ? 'published' : 'draft';
      return {
        status: 200,
        body: { id: j._id, name: j.name, status, ...(j.draft ? { draft: j.draft } : {}), versions: versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt.toISOString() })) },
      };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/journeys/:id/publish',
    tag: 'Journeys',
    summary: 'Publish the draft as a new immutable version',
    roles: ['admin', 'marketer'],
    params: JourneyParams,
    responses: { 200: { description: 'published', schema: z.object({ version: z.number() }) } },
    handler: async ({ params }) => {
      await journeyOrThrow(params.id);
      const version = await publishDraft(params.id);
      if (version === undefined) throw ApiError.conflict('there is no draft to publish: edit the journey first');
      return { status: 200, body: { version } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/journeys/:id/launch',
    tag: 'Journeys',
    summary: 'Start the latest version for the given accounts (default: the entry segment), one workflow per account',
    roles: ['admin', 'marketer'],
    params: JourneyParams,
    body: z.object({ accountKeys: z.array(Key).max(10000).optional() }).strict(),
    responses: {
      202: {
        description: 'started',
        schema: z.object({ started: z.number(), alreadyRunning: z.number(), alreadyEntered: z.number(), rejected: z.array(z.object({ accountKey: z.string(), error: z.string() })) }),
      },
    },
    handler: async ({ params, body }) => {
      const j = await journeyOrThrow(params.id);
      if (j.latestVersion === 0) throw ApiError.conflict('the journey is a draft: publish it first');
      if (j.state !== 'active') throw ApiError.conflict(`the journey is ${j.state}`);
      const definition = (await versionOf(j._id, j.latestVersion))!;
      let keys = body.accountKeys;
      if (!keys) {
        if (!('segmentId' in definition.entry)) throw ApiError.validation([{ path: 'accountKeys', message: 'this journey has no entry segment: name the accounts' }]);
        keys = (await SegmentMember.find({ segmentId: definition.entry.segmentId }, { memberId: 1 }).lean()).map((m) => m.memberId);
      }
      const counts: Record<StartOutcome, number> = { started: 0, alreadyRunning: 0, alreadyEntered: 0 };
      const rejected: { accountKey: string; error: string }[] = [];
      const journey = { id: j._id, name: j.name, version: j.latestVersion, definition, state: j.state };
      await eachLimited([...new Set(keys)], async (accountKey) => {
        if (!(await Account.findOne({ _id: accountKey }, { _id: 1 }).lean())) {
          rejected.push({ accountKey, error: 'unknown account' });
          return;
        }
        counts[await startJourney(deps.delivery, journey, accountKey)]++;
      });
      return { status: 202, body: { ...counts, rejected } };
    },
  });

  const steer = (action: 'pause' | 'resume' | 'stop') =>
    defineRoute(deps.router, deps.registry, {
      method: 'post',
      path: `/v1/journeys/:id/${action}`,
      tag: 'Journeys',
      summary: { pause: 'Pause: running instances hold before their next node', resume: 'Resume paused instances', stop: 'Stop: every instance exits (recorded as stopped)' }[action],
      roles: ['admin', 'marketer'],
      params: JourneyParams,
      responses: { 202: { description: 'signalled', schema: z.object({ state: z.string(), instances: z.number() }) } },
      handler: async ({ params }) => {
        const j = await journeyOrThrow(params.id);
        if (j.state === 'stopped') throw ApiError.conflict('the journey is stopped');
        if (action === 'resume' && j.state !== 'paused') throw ApiError.conflict('the journey is not paused');
        const state = { pause: 'paused', resume: 'active', stop: 'stopped' }[action];
        await Journey.updateOne({ _id: j._id }, { $set: { state, updatedAt: new Date() } });
        const running = (await JourneyInstance.find({ journeyId: j._id }, { status: 1 }).lean()).filter((i) => ACTIVE.includes(i.status));
        await eachLimited(running, async (i) => {
          const handle = deps.delivery.client.workflow.getHandle(i._id);
          const sent = action === 'pause' ? handle.signal(pauseSignal) : action === 'resume' ? handle.signal(resumeSignal) : handle.signal(stopSignal, { reason: 'journey stopped' });
          await sent.catch((err: Error) => {
            if (err.name !== 'WorkflowNotFoundError') throw err;
          });
        });
        return { status: 202, body: { state, instances: running.length } };
      },
    });
  steer('pause');
  steer('resume');
  steer('stop');

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/journeys/:id/simulate',
    tag: 'Journeys',
    summary: 'Dry run: the path each account would have taken over its stored interactions, on a simulated clock, with no actions and no instances',
    roles: ['admin', 'marketer'],
    params: JourneyParams,
    body: z
      .object({ accountKeys: z.array(Key).min(1).max(100), from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional(), version: z.number().int().min(1).optional() })
      .strict(),
    responses: { 200: { description: 'paths', schema: z.object({ items: z.array(z.unknown()) }) } },
    handler: async ({ params, body }) => {
      const j = await journeyOrThrow(params.id);
      const version = body.version ?? j.latestVersion;
      const definition = version ? await versionOf(j._id, version) : undefined;
      if (!definition) throw ApiError.validation([{ path: 'version', message: version ? `version ${version} does not exist` : 'the journey is a draft: publish it or name a version' }]);
      const to = body.to ? Date.parse(body.to) : Date.now();
      const from = body.from ? Date.parse(body.from) : to - 30 * 86_400_000;
      if (from >= to) throw ApiError.validation([{ path: 'from', message: 'must be before to' }]);
      const items = [];
      for (const accountKey of body.accountKeys) items.push(await simulateAccount(definition, accountKey, from, to));
      return { status: 200, body: { items } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/journeys/:id/migrate',
    tag: 'Journeys',
    summary: 'Move running instances of one version to another at mapped nodes; instances at unmapped nodes stay and are listed',
    roles: ['admin', 'marketer'],
    params: JourneyParams,
    body: z.object({ fromVersion: z.number().int().min(1), toVersion: z.number().int().min(1), nodeMap: z.record(z.string().max(64), z.string().max(64)) }).strict(),
    responses: { 202: { description: 'signalled', schema: z.object({ migrated: z.number(), skipped: z.array(z.object({ accountKey: z.string(), nodeId: z.string(), reason: z.string() })) }) } },
    handler: async ({ params, body }) => {
      await journeyOrThrow(params.id);
      const [from, to] = await Promise.all([versionOf(params.id, body.fromVersion), versionOf(params.id, body.toVersion)]);
      if (!from) throw ApiError.validation([{ path: 'fromVersion', message: `version ${body.fromVersion} does not exist` }]);
      if (!to) throw ApiError.validation([{ path: 'toVersion', message: `version ${body.toVersion} does not exist` }]);
      const problems = Object.entries(body.nodeMap).flatMap(([old, target]) => [
        ...(from.nodes[old] ? [] : [{ path: `nodeMap.${old}`, message: `version ${body.fromVersion} has no node '${old}'` }]),
        ...(to.nodes[target] ? [] : [{ path: `nodeMap.${old}`, message: `version ${body.toVersion} has no node '${target}'` }]),
      ]);
      if (problems.length) throw ApiError.validation(problems, 'node map is invalid');
      const running = (await JourneyInstance.find({ journeyId: params.id }, { accountKey: 1, nodeId: 1, status: 1, version: 1 }).lean()).filter((i) => i.version === body.fromVersion && ACTIVE.includes(i.status));
      const skipped: { accountKey: string; nodeId: string; reason: string }[] = [];
      let migrated = 0;
      await eachLimited(running, async (i) => {
        const at = body.nodeMap[i.nodeId];
        if (!at) {
          skipped.push({ accountKey: i.accountKey, nodeId: i.nodeId, reason: `node '${i.nodeId}' is not mapped` });
          return;
        }
        await deps.delivery.client.workflow.getHandle(i._id).signal(migrateSignal, { version: body.toVersion, definition: to, at });
        migrated++;
      });
      return { status: 202, body: { migrated, skipped } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/journeys/:id/instances',
    tag: 'Journeys',
    summary: 'Where each account is on the journey (filter by account, node, status)',
    roles: ['admin', 'marketer', 'operator'],
    params: JourneyParams,
    query: Pagination.extend({ accountKey: Key.optional(), nodeId: z.string().max(64).optional(), status: z.string().max(20).optional() }),
    responses: { 200: { description: 'instances', schema: z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() }) } },
    handler: async ({ params, query }) => {
      await journeyOrThrow(params.id);
      const offset = decodeCursor(query.cursor);
      const filter: Record<string, string> = { journeyId: params.id };
      if (query.accountKey) filter.accountKey = query.accountKey;
      if (query.nodeId) filter.nodeId = query.nodeId;
      if (query.status) filter.status = query.status;
      const docs = await JourneyInstance.find(filter).sort({ _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      const items = docs.map((d) => ({ accountKey: d.accountKey, workflowId: d._id, version: d.version, nodeId: d.nodeId, status: d.status, history: d.history }));
      return { status: 200, body: page(items, offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/journeys/:id/stats',
    tag: 'Journeys',
    summary: 'Per node: accounts that entered, are there now, left; and how instances ended',
    roles: ['admin', 'marketer', 'operator'],
    params: JourneyParams,
    responses: { 200: { description: 'stats', schema: z.unknown() } },
    handler: async ({ params }) => {
      await journeyOrThrow(params.id);
      const nodes: Record<string, { entered: number; current: number; exited: number }> = {};
      const node = (id: string) => (nodes[id] ??= { entered: 0, current: 0, exited: 0 });
      const ended = { completed: 0, exitedByRule: 0, stopped: 0, failed: 0 };
      for (const i of await JourneyInstance.find({ journeyId: params.id }, { nodeId: 1, status: 1, history: 1 }).lean()) {
        for (const step of (i.history ?? []) as { nodeId: string }[]) {
          node(step.nodeId).entered++;
          node(step.nodeId).exited++;
        }
        if (ACTIVE.includes(i.status)) {
          node(i.nodeId).entered++;
          node(i.nodeId).current++;
        }
        if (i.status === 'completed') ended.completed++;
        if (i.status === 'exited_by_rule') ended.exitedByRule++;
        if (i.status === 'stopped') ended.stopped++;
        if (i.status === 'failed') ended.failed++;
      }
      return { status: 200, body: { nodes, ...ended } };
    },
  });
}
