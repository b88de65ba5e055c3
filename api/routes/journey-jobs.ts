import { STEERED_STATE } from '../../domain/journeys/jobs';
import { journeyJobProgress, startJourneyJob } from '../../lib/journey-jobs';
import { versionOf } from '../../lib/journey-store';
import { Journey } from '../../models/journey';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { Key } from '../schemas/common';
import { z } from '../zod';
import { journeyOrThrow, JourneyParams } from './journeys';

const JobAccepted = z.object({ jobId: z.string(), status: z.literal('running'), progress: z.string() });
const JobParams = JourneyParams.extend({ jobId: z.string().regex(/^job_[A-Za-z0-9_-]{1,40}$/, 'must be a job id (job_…)') });
const progressUrl = (journeyId: string, jobId: string) => `/v1/journeys/${journeyId}/jobs/${jobId}`;
const accepted = (journeyId: string, jobId: string) => ({ jobId, status: 'running' as const, progress: progressUrl(journeyId, jobId) });

/** Launch, pause, resume, stop and migrate: each answered at once and done by a background job whose progress has its own URL. */
export function journeyJobRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/journeys/:id/launch',
    tag: 'Journeys',
    summary: 'Start the latest version for the given accounts (default: the entry segment), one workflow per account, in the background: GET the progress URL for started, alreadyRunning, alreadyEntered and rejected',
    roles: ['admin', 'marketer'],
    params: JourneyParams,
    body: z.object({ accountKeys: z.array(Key).max(10000).optional() }).strict(),
    responses: { 202: { description: 'accepted: a launch job', schema: JobAccepted }, 409: { description: 'conflict: the journey is a draft, paused or stopped' } },
    handler: async ({ params, body }) => {
      const j = await journeyOrThrow(params.id);
      if (j.latestVersion === 0) throw ApiError.conflict('the journey is a draft: publish it first');
      if (j.state !== 'active') throw ApiError.conflict(`the journey is ${j.state}`);
      if (!body.accountKeys && !('segmentId' in (await versionOf(j._id, j.latestVersion))!.entry)) {
        throw ApiError.validation([{ path: 'accountKeys', message: 'this journey has no entry segment: name the accounts' }]);
      }
      const jobId = await startJourneyJob(deps.delivery, j._id, 'launch', { version: j.latestVersion }, body.accountKeys);
      return { status: 202, body: accepted(j._id, jobId) };
    },
  });

  for (const action of ['pause', 'resume', 'stop'] as const) {
    defineRoute(deps.router, deps.registry, {
      method: 'post',
      path: `/v1/journeys/:id/${action}`,
      tag: 'Journeys',
      summary: {
        pause: 'Pause: new entries stop and every running instance holds before its next node (a background job signals them)',
        resume: 'Resume paused instances (a background job signals them)',
        stop: 'Stop: every instance exits, recorded as stopped (a background job signals them)',
      }[action],
      roles: ['admin', 'marketer'],
      params: JourneyParams,
      responses: {
        202: { description: 'accepted: the journey has its new state, and a job signals its instances', schema: JobAccepted.extend({ state: z.string() }) },
        409: { description: 'conflict: the journey is stopped, or (resume) not paused' },
      },
      handler: async ({ params }) => {
        const j = await journeyOrThrow(params.id);
        if (j.state === 'stopped') throw ApiError.conflict('the journey is stopped');
        if (action === 'resume' && j.state !== 'paused') throw ApiError.conflict('the journey is not paused');
        const state = STEERED_STATE[action];
        // The state first: an instance starting meanwhile reads it after it is on record, so none is missed.
        await Journey.updateOne({ _id: j._id }, { $set: { state, updatedAt: new Date() } });
        const jobId = await startJourneyJob(deps.delivery, j._id, action, {});
        return { status: 202, body: { state, ...accepted(j._id, jobId) } };
      },
    });
  }

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/journeys/:id/migrate',
    tag: 'Journeys',
    summary: 'Move running instances of one version to another at mapped nodes, in the background: each instance maps the node it is really at; one at an unmapped node stays, and its history says why',
    roles: ['admin', 'marketer'],
    params: JourneyParams,
    body: z.object({ fromVersion: z.number().int().min(1), toVersion: z.number().int().min(1), nodeMap: z.record(z.string().max(64), z.string().max(64)) }).strict(),
    responses: { 202: { description: 'accepted: a migration job', schema: JobAccepted } },
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
      const jobId = await startJourneyJob(deps.delivery, params.id, 'migrate', body);
      return { status: 202, body: accepted(params.id, jobId) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/journeys/:id/jobs/:jobId',
    tag: 'Journeys',
    summary:
      'Progress of a launch, pause, resume, stop or migration: total targets, done, per outcome (started, alreadyRunning, alreadyEntered; signalled; migrated), skipped and rejected',
    roles: ['admin', 'marketer', 'operator'],
    params: JobParams,
    responses: { 200: { description: 'the job', schema: z.object({ jobId: z.string(), kind: z.string(), status: z.enum(['running', 'completed', 'failed']), total: z.number().nullable(), done: z.number() }).loose() } },
    handler: async ({ params }) => {
      const progress = await journeyJobProgress(params.id, params.jobId);
      if (!progress) throw ApiError.notFound(`job '${params.jobId}' of journey '${params.id}'`);
      return { status: 200, body: progress };
    },
  });
}
