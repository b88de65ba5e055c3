import { scoringEventTypes } from '../../domain/event-types-named';
import { unknownEventTypes } from '../../lib/event-types';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { checkModel, modelWarnings, scoringModelSchema } from '../../domain/scoring/model';
import { activeModel, saveModel } from '../../lib/scoring-model-store';
import { progressOf } from '../../lib/workflow-progress';
import { Person } from '../../models/person';
import { ScoringModelVersion } from '../../models/scoring-model';
import { rescoreProgressQuery, RescoreProgress, rescoreWorkflowId } from '../../workflows/rescore';
import type { rescoreWorkflow } from '../../workflows/rescore';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { PersonIdParams } from '../schemas/people';
import { z } from '../zod';
import { audit } from './accounts';
import { mayReadPerson } from './people';

const ScoringModelBody = scoringModelSchema.meta({ id: 'ScoringModel' });

const ScoreView = z
  .object({
    total: z.number(),
    fit: z.number(),
    behavior: z.number(),
    status: z.enum(['nurture', 'qualified', 'discarded']),
    modelVersion: z.number(),
    breakdown: z.array(z.object({ ruleId: z.string(), kind: z.enum(['fit', 'behavior']), points: z.number(), reason: z.string(), eventIds: z.array(z.string()).optional() })),
    nextChangeAt: z.string().nullable().optional(),
  })
  .openapi('Score');

export function scoringRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/scoring-model',
    tag: 'Scoring',
    summary: 'Replace the active scoring model (a new version); everyone is re-scored in the background',
    roles: ['admin', 'marketer'],
    body: ScoringModelBody,
    checkedBeyondSchema: 'rule ids unique; condition fields known to their scope (fit rules: person.<name>, account.<name>; behaviour filters also event.<name>; attributes.* and properties.* free); ranked values (fundingRound, seniority) among the known ones; conditions at most 6 levels deep; no rule on person.score or person.status; windows ISO 8601 durations longer than 0 and at most P2Y; behaviour events built in or registered (GET /v1/event-types)',
    responses: { 200: { description: 'saved', schema: z.object({ version: z.number(), warnings: z.array(z.string()) }) } },
    handler: async ({ body }) => {
      const problems = [...checkModel(body), ...(await unknownEventTypes(scoringEventTypes(body)))];
      if (problems.length) throw ApiError.validation(problems, 'scoring model is invalid');
      const warnings = modelWarnings(body);
      const version = await saveModel(body, warnings);
      await deps.delivery.client.workflow.start<typeof rescoreWorkflow>('rescoreWorkflow', {
        workflowId: rescoreWorkflowId(deps.delivery.taskQueue, version),
        taskQueue: deps.delivery.taskQueue,
        args: [{ version }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: `Re-score everyone with scoring model v${version}`,
      });
      return { status: 200, body: { version, warnings } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/scoring-model',
    tag: 'Scoring',
    summary: 'The active scoring model and the progress of re-scoring everyone with it',
    roles: ['admin', 'marketer', 'operator'],
    responses: {
      200: {
        description: 'the active model',
        schema: z.object({ version: z.number(), model: z.unknown(), warnings: z.array(z.string()), recompute: z.unknown().nullable() }),
      },
    },
    handler: async () => {
      const { version, model } = await activeModel();
      const doc = version ? await ScoringModelVersion.findOne({ _id: version }, { warnings: 1 }).lean() : null;
      return { status: 200, body: { version, model, warnings: doc?.warnings ?? [], recompute: version ? await progressOf<RescoreProgress>(deps.delivery.client, rescoreWorkflowId(deps.delivery.taskQueue, version), rescoreProgressQuery) : null } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/people/:personId/score',
    tag: 'Scoring',
    summary: "A person's score with its explanation: points per rule, the reason and the events that earned them (audited)",
    roles: ['admin', 'marketer', 'sales', 'operator'],
    params: PersonIdParams,
    responses: { 200: { description: 'the score', schema: ScoreView } },
    handler: async ({ params, auth }) => {
      const person = await Person.findOne({ _id: params.personId }, { score: 1, accountKey: 1 }).lean();
      if (!person) throw ApiError.notFound(`person '${params.personId}'`);
      await mayReadPerson(auth, person);
      await audit(auth, 'read', `person:${params.personId}:score`);
      const { version } = await activeModel();
      const score = person.score ?? { total: 0, fit: 0, behavior: 0, status: 'nurture', modelVersion: version, breakdown: [] };
      return { status: 200, body: score };
    },
  });
}
