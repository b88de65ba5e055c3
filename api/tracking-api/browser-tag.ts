import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router, type Request } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KeyResolver } from '../auth';
import { ApiError } from '../errors';
import { documentedResponses } from '../route';
import { z } from '../zod';
import { trackingCors } from './cors';

/** The analytics.js build this engine serves: the standalone bundle and its lazily loaded chunks. */
const BUNDLES = path.join(path.dirname(require.resolve('@segment/analytics-next/package.json')), 'dist', 'umd');
const CHUNK = /^[A-Za-z0-9_.-]+\.js$/;
const WriteKeyParams = z.object({ writeKey: z.string().min(1).max(200) });

/**
 * What analytics.js reads at load (Segment's CDN settings): one destination,
 * Segment.io, pointed at the host the page reached us by, no remote
 * plugins and no telemetry.
 */
function settingsFor(req: Request, writeKey: string) {
  const forwarded = req.get('x-forwarded-proto')?.split(',')[0]?.trim();
  const protocol = forwarded === 'https' || forwarded === 'http' ? forwarded : req.protocol;
  return {
    integrations: { 'Segment.io': { apiKey: writeKey, apiHost: `${req.get('host')}/v1`, protocol } },
    plan: { track: { __default: { enabled: true } }, identify: { __default: { enabled: true } }, group: { __default: { enabled: true } } },
    metrics: { sampleRate: 0 },
    remotePlugins: [],
    enabledMiddleware: {},
  };
}

function document(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/projects/{writeKey}/settings',
    tags: ['Tracking (Segment-compatible)'],
    summary: "The settings analytics.js loads for a write key (as from Segment's CDN): its events go to this host. Only ingest keys are write keys in a browser.",
    description: 'No Authorization: the write key in the path is public in the page. CORS for TRACKING_CORS_ORIGINS.',
    security: [],
    request: { params: WriteKeyParams },
    responses: documentedResponses(
      {
        200: { description: 'the settings', schema: z.object({ integrations: z.record(z.string(), z.unknown()) }).passthrough() },
        404: { description: 'not_found: no ingest key with this value' },
      },
      { params: true, body: false },
    ),
  });
}

/**
 * The website tag: analytics.js as Segment's snippet loads it, from this
 * host instead of Segment's CDN (`/analytics.js/v1/<writeKey>/analytics.min.js`,
 * its chunks under `/analytics-next/bundles/`, its settings under
 * `/v1/projects/<writeKey>/settings`).
 */
export function browserTagRouter(deps: { keys: KeyResolver; corsOrigins: readonly string[]; registry: OpenAPIRegistry }): Router {
  document(deps.registry);
  const router = Router();
  router.get('/analytics.js/v1/:writeKey/analytics.min.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('application/javascript').sendFile(path.join(BUNDLES, 'standalone.js'));
  });
  router.get('/analytics-next/bundles/:file', (req, res, next) => {
    const file = String(req.params.file);
    if (!CHUNK.test(file) || !existsSync(path.join(BUNDLES, file))) return next(ApiError.notFound(`bundle '${file}'`));
    res.set('Cache-Control', 'public, max-age=86400, immutable').type('application/javascript').sendFile(path.join(BUNDLES, file));
  });
  const cors = trackingCors(deps.corsOrigins);
  router.options('/v1/projects/:writeKey/settings', cors);
  router.get('/v1/projects/:writeKey/settings', cors, async (req, res) => {
    const params = WriteKeyParams.safeParse(req.params);
    const key = params.success ? await deps.keys.resolve(params.data.writeKey) : null;
    if (!key || key.role !== 'ingest') throw ApiError.notFound('write key (an ingest API key)');
    res.set('Cache-Control', 'public, max-age=60').json(settingsFor(req, params.data!.writeKey));
  });
  return router;
}
