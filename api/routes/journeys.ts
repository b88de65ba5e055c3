import { journeyEventTypes } from '../../domain/event-types-named';
import { unknownEventTypes } from '../../lib/event-types';
import { checkJourney } from '../../domain/journeys/graph';
import { journeySchema } from '../../domain/journeys/definition';
import { ACTIVE } from '../../lib/journey-launch';
import { createJourney, publishDraft, saveDraft, versionOf } from '../../lib/journey-store';
import { simulateAccount } from '../../lib/journey-simulate';
import { Journey, JourneyInstance, JourneyVersion } from '../../models/journey';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { decodeCursor, Key, page, Pagination } from '../schemas/common';
import { z } from '../zod';
import { journeyWorkflowId } from '../../workflows/journey-messages';

export const JourneyParams = z.object({ id: z.string().regex(/^jny_[A-Za-z0-9_-]{1,40}$/, 'must be a journey id (jny_…)') });

async function checked<T extends z.infer<typeof journeySchema>>(body: T): Promise<T> {
  const problems = [...checkJourney(body), ...(await unknownEventTypes(journeyEventTypes(body)))];
  if (problems.length) throw ApiError.validation(problems, 'journey is invalid');
  return body;
}

export async function journeyOrThrow(id: string) {
  const j = await Journey.findOne({ _id: id }).lean();
  if (!j) throw ApiError.notFound(`journey '${id}'`);
  return j;
}

/** Dry runs of accounts never on the journey look this far back unless given a window. */
const DEFAULT_WINDOW_MS = 30 * 86_400_000;
const JOURNEY_RULES = 'the graph: start and every next, onTimeout, onError and otherwise name nodes of the journey; every node reachable from start and reaching an exit; no cycle without a wait; action nodes have a next node, only webhook actions onError/onTimeout; params per action; durations longer than 0; event types built in or registered (GET /v1/event-types)';

async function enteredAt(journeyId: string, accountKey: string): Promise<number | undefined> {
  const row = await JourneyInstance.findOne({ _id: journeyWorkflowId(journeyId, accountKey) }, { enteredAt: 1, history: 1 }).lean();
  const at = row?.enteredAt ?? (row?.history?.[0] as { at?: string } | undefined)?.at;
  return at ? new Date(at).getTime() : undefined;
}

export function journeyRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/journeys',
    tag: 'Journeys',
    summary: 'Create a journey (a draft); the graph is checked and every problem names its node',
    roles: ['admin', 'marketer'],
    body: journeySchema,
    checkedBeyondSchema: JOURNEY_RULES,
    responses: { 201: { description: 'created', schema: z.object({ id: z.string(), status: z.literal('draft') }) } },
    handler: async ({ body }) => ({ status: 201, body: { id: await createJourney(await checked(body)), status: 'draft' } }),
  });

  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/journeys/:id',
    tag: 'Journeys',
    summary: 'Replace the draft (editing a published journey makes a new draft; running instances are untouched)',
    roles: ['admin', 'marketer'],
    params: JourneyParams,
    body: journeySchema,
    checkedBeyondSchema: JOURNEY_RULES,
    responses: { 200: { description: 'saved', schema: z.object({ id: z.string(), status: z.literal('draft') }) } },
    handler: async ({ params, body }) => {
      if (!(await saveDraft(params.id, await checked(body)))) throw ApiError.notFound(`journey '${params.id}'`);
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
    responses: { 200: { description: 'published', schema: z.object({ version: z.number() }) }, 409: { description: 'conflict: there is no draft to publish' } },
    handler: async ({ params }) => {
      await journeyOrThrow(params.id);
      const version = await publishDraft(params.id);
      if (version === undefined) throw ApiError.conflict('there is no draft to publish: edit the journey first');
      return { status: 200, body: { version } };
    },
  });

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
      if (body.from && Date.parse(body.from) >= to) throw ApiError.validation([{ path: 'from', message: 'must be before to' }]);
      const items = [];
      for (const accountKey of body.accountKeys) {
        // An account that is or was on the journey is replayed from its entry, so its dry run retraces its real path.
        const from = body.from ? Date.parse(body.from) : ((await enteredAt(j._id, accountKey)) ?? to - DEFAULT_WINDOW_MS);
        items.push(await simulateAccount(definition, accountKey, Math.min(from, to), to));
      }
      return { status: 200, body: { items } };
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
        if (ACTIVE.has(i.status)) {
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
