import type { MessageType } from '../../domain/tracking/message';
import type { Rejection } from '../../domain/tracking/operations';
import { ingestTracking } from '../../lib/tracking-ingest';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { SegmentBatch, SegmentBatchEnvelope, SegmentMessage, SegmentMessageEnvelope, TrackingAnswer } from '../schemas/tracking';

const ROLES = ['admin', 'ingest', 'marketer'] as const;
const AUTH = 'Auth: HTTP Basic with the write key (an ingest API key) as user and an empty password, writeKey in the body, or Bearer. Bodies may be gzip, deflate or br (Content-Encoding) and are JSON whatever the Content-Type says, up to 1 MiB decompressed.';
const RESPONSES = {
  200: { description: 'taken (messages that can never be applied are listed in rejected; send the rest again never: a retry counts nothing twice)', schema: TrackingAnswer },
  400: { description: 'validation_error: nothing in the request can ever be applied (not JSON, no batch, every message refused: details name each field); do not send it again' },
};

/** The single-message routes: the Segment path and the short one analytics.js posts to. */
const SINGLE: { type: MessageType; paths: string[] }[] = [
  { type: 'track', paths: ['/v1/track', '/v1/t'] },
  { type: 'page', paths: ['/v1/page', '/v1/p'] },
  { type: 'screen', paths: ['/v1/screen', '/v1/s'] },
  { type: 'group', paths: ['/v1/group', '/v1/g'] },
  { type: 'alias', paths: ['/v1/alias', '/v1/a'] },
  // POST /v1/identify with Basic auth or no Authorization is this route too (see the tracking router); with Bearer it is the native identify.
  { type: 'identify', paths: ['/v1/i'] },
];

/** 200 when anything was taken; a 400 naming every field when nothing ever can be. */
function answer(rejected: Rejection[], total: number, inBatch: boolean) {
  if (total > 0 && rejected.length === total) {
    const path = (r: Rejection) => [inBatch ? `batch.${r.index}` : '', r.path].filter(Boolean).join('.');
    throw ApiError.validation(rejected.map((r) => ({ path: path(r), message: r.message })), 'no message can be applied');
  }
  return { status: 200, body: { success: true, ...(rejected.length ? { rejected } : {}) } };
}

export function trackingRoutes(deps: RouteDeps): void {
  const count = (r: { accepted: number; duplicates: number; rejected: unknown[] }) => {
    deps.eventsCounter.inc({ result: 'accepted' }, r.accepted);
    deps.eventsCounter.inc({ result: 'duplicate' }, r.duplicates);
    deps.eventsCounter.inc({ result: 'rejected' }, r.rejected.length);
  };

  for (const path of ['/v1/batch', '/v1/b']) {
    defineRoute(deps.router, deps.registry, {
      method: 'post',
      path,
      tag: 'Tracking (Segment-compatible)',
      summary: `${path === '/v1/b' ? "analytics.js's batching path: as /v1/batch. " : ''}A batch of Segment tracking messages (track, identify, page, screen, group, alias), applied in message order. ${AUTH}`,
      roles: ROLES,
      body: SegmentBatchEnvelope,
      documentedBody: SegmentBatch,
      responses: RESPONSES,
      handler: async ({ body, auth }) => {
        const shared = body.context && typeof body.context === 'object' ? (body.context as Record<string, unknown>) : undefined;
        const messages = shared ? body.batch.map((m) => (m && typeof m === 'object' ? { ...m, context: { ...shared, ...((m as { context?: object }).context ?? {}) } } : m)) : body.batch;
        const result = await ingestTracking(deps.delivery, auth, { messages, sentAt: typeof body.sentAt === 'string' ? body.sentAt : undefined, receivedAt: Date.now() });
        count(result);
        return answer(result.rejected, messages.length, true);
      },
    });
  }

  for (const { type, paths } of SINGLE) {
    for (const path of paths) {
      defineRoute(deps.router, deps.registry, {
        method: 'post',
        path,
        tag: 'Tracking (Segment-compatible)',
        summary: `One Segment ${type} message${path.length <= 5 ? ` (analytics.js's short path${type === 'identify' ? '; POST /v1/identify with Basic auth or a writeKey is the same' : ''})` : ''}. ${AUTH}`,
        roles: ROLES,
        body: SegmentMessageEnvelope,
        documentedBody: SegmentMessage,
        responses: RESPONSES,
        handler: async ({ body, auth }) => {
          const result = await ingestTracking(deps.delivery, auth, { messages: [body], routeType: type, receivedAt: Date.now() });
          count(result);
          return answer(result.rejected, 1, false);
        },
      });
    }
  }
}
