import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type RequestHandler, Router } from 'express';
import { nonBlankText } from '../domain/non-blank-text';
import { findUnstorableText } from '../domain/storable-text';
import { connectionWithSecrets } from '../lib/crm-connections';
import { applyCrmStatuses, bodyDigestOf } from '../lib/crm-inbound';
import type { DeliveryTarget } from '../lib/deliver-events';
import type { Logger } from '../lib/logger';
import type { AuthContext } from './auth';
import { rejectDeepBodies } from './body-depth';
import { ApiError, zodDetails } from './errors';
import { limitPerKey } from './rate-limit';
import { documentedResponses } from './route';
import { CrmConnectionKeyParams } from './routes/crm-connections';
import { Email } from './schemas/common';
import { z } from './zod';

const PATH = '/v1/crm-connections/:key/inbound';
// 1,000 records of the longest identifiers and statuses fit.
const MAX_BODY = '1mb';
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

const CrmStatusRecord = z
  .object({
    email: Email.optional(),
    crmId: nonBlankText(320).optional(),
    status: nonBlankText(100),
    changedAt: z.iso.datetime({ offset: true }).optional().describe('when the CRM changed the status: a late retry of an older change then never overwrites a newer one'),
  })
  .strict()
  .refine((r) => r.email || r.crmId, { message: 'needs email or crmId' })
  .openapi('CrmStatusRecord', { anyOf: [{ required: ['email'] }, { required: ['crmId'] }] });
const CrmInboundBody = z.object({ records: z.array(CrmStatusRecord).min(1).max(1000) }).strict().openapi('CrmInbound');
const CrmInboundResult = z.object({
  updated: z.number().int(),
  unchanged: z.number().int(),
  unknown: z.array(z.number().int()).describe('indexes of records naming nobody known (nobody is created)'),
});

export interface CrmInboundDeps {
  registry: OpenAPIRegistry;
  delivery: DeliveryTarget;
  logger: Logger;
  rateLimitPerMinute: number;
}

interface Caller {
  key: string;
  secret: string;
  signature: Buffer;
}
const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

/** Who claims to call, known before the body is read: a stranger's large body costs nothing. */
const claimedConnection: RequestHandler = async (req, res, next) => {
  const signature = SIGNATURE.exec(req.get('x-signature') ?? '');
  if (!signature) throw unauthorized('missing or malformed X-Signature: sha256=<hex HMAC-SHA256 of the raw body with the connection secret>');
  const params = CrmConnectionKeyParams.safeParse(req.params);
  if (!params.success) throw ApiError.validation(zodDetails(params.error, 'params'));
  const connection = await connectionWithSecrets(params.data.key);
  if (!connection) throw ApiError.notFound(`crm connection '${params.data.key}'`);
  if (!connection.secret) throw ApiError.conflict(`crm connection '${params.data.key}' has no secret to check signatures with; set one with PUT /v1/crm-connections/${params.data.key}`);
  res.locals.caller = { key: params.data.key, secret: connection.secret, signature: Buffer.from(signature[1], 'hex') } satisfies Caller;
  next();
};

/** The signature covers the bytes as sent; a body re-serialised from parsed JSON would not match them. */
const signedBody: RequestHandler = (req, res, next) => {
  const caller = res.locals.caller as Caller;
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const expected = createHmac('sha256', caller.secret).update(raw).digest();
  if (!timingSafeEqual(expected, caller.signature)) throw unauthorized('the X-Signature does not match the body and the connection secret');
  // From here the connection is the caller: the per-key rate limit counts it as one.
  res.locals.auth = { keyId: `crm-connection:${caller.key}`, role: 'ingest' } satisfies AuthContext;
  res.locals.rawBody = raw;
  try {
    req.body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw ApiError.validation([{ path: '', message: 'body is not valid JSON' }]);
  }
  next();
};

function document(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'crmSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Signature',
    description: "sha256=<hex HMAC-SHA256 of the raw request body, keyed with the CRM connection's secret>",
  });
  registry.registerPath({
    method: 'post',
    path: PATH.replace(/:(\w+)/g, '{$1}'),
    tags: ['CRM'],
    summary: "Lead statuses sent back by the CRM: each known person's crm.status, and a crm_status_changed event for scoring, segments and journeys; a replayed call changes nothing",
    description: "Authenticated by the X-Signature of the body with the connection's secret, not by an API key.",
    security: [{ crmSignature: [] }],
    request: { params: CrmConnectionKeyParams, body: { required: true, content: { 'application/json': { schema: CrmInboundBody } } } },
    responses: documentedResponses(
      {
        200: { description: 'applied; records naming nobody known are listed in unknown', schema: CrmInboundResult },
        401: { description: 'unauthorized: no X-Signature, or one that does not match the body and the connection secret' },
        403: { description: 'forbidden: not answered by this route (the signature is its only credential)' },
        409: { description: 'conflict: the connection has no secret to check signatures with' },
        429: { description: 'rate_limited: too many calls for this connection; retry after Retry-After seconds' },
      },
      { params: true, body: true },
    ),
  });
}

/**
 * The CRM's inbound door (`POST /v1/crm-connections/:key/inbound`), signed
 * like journey webhooks and so mounted before /v1's API-key authentication.
 * The handler answers, logs counts only: records name people by email.
 */
export function crmInboundRouter(deps: CrmInboundDeps): Router {
  document(deps.registry);
  const router = Router();
  router.post(PATH, claimedConnection, express.raw({ type: () => true, limit: MAX_BODY }), signedBody, limitPerKey(deps.rateLimitPerMinute), rejectDeepBodies, async (req, res) => {
    const bad = findUnstorableText(req.body);
    if (bad) throw ApiError.validation([bad]);
    const parsed = CrmInboundBody.safeParse(req.body);
    if (!parsed.success) throw ApiError.validation(zodDetails(parsed.error));
    const { key } = res.locals.caller as Caller;
    const result = await applyCrmStatuses(deps.delivery, key, parsed.data.records, bodyDigestOf(res.locals.rawBody as Buffer));
    deps.logger.info({ connection: key, updated: result.updated, unchanged: result.unchanged, unknown: result.unknown.length }, 'crm inbound: statuses applied');
    res.status(200).json(result);
  });
  return router;
}
