import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import type { ZodObject, ZodType } from 'zod';
import type { Role } from '../domain/roles';
import { findUnstorableText } from '../domain/storable-text';
import { AuthContext, authOf } from './auth';
import { ApiError, zodDetails } from './errors';
import { methodNotAllowed, methodsServing } from './method-not-allowed';
import { ErrorBody } from './schemas/common';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: AuthContext;
  req: Request;
  res: Response;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
}

/** A response; `links` name the operations that take values from it (readers and stateful tests follow them). */
export interface RouteResponse {
  description: string;
  schema?: ZodType;
  links?: Record<string, ReturnType<typeof linkTo>>;
}

/** An OpenAPI link to the operation `method path` (Express style), its parameters as runtime expressions (`$response.body#/id`). */
export function linkTo(method: Method, path: string, parameters: Record<string, string>) {
  const pointer = path.replace(/:(\w+)/g, '{$1}').replace(/~/g, '~0').replace(/\//g, '~1');
  return { operationRef: `#/paths/${pointer}/${method}`, parameters };
}

export interface RouteSpec<P extends ZodObject, Q extends ZodObject, B extends ZodType> {
  method: Method;
  /** Express style: `/v1/accounts/:accountKey`. */
  path: string;
  summary: string;
  tag: string;
  /** Who may call it; there is no route without this decision. */
  roles: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** Documented request body when validation is done in the handler (partial accept). */
  documentedBody?: ZodType;
  /**
   * What the handler checks beyond the schemas, that a JSON Schema cannot
   * state (a journey's graph, fields known per scope, stored state): 400
   * naming the field. Said in the document, and exempts the route from the
   * contract check's count of schema-valid requests refused.
   */
  checkedBeyondSchema?: string;
  /** Documented raw request body (a file), read by the handler: its content types and its text. */
  fileBody?: { contentTypes: readonly string[]; schema: ZodType };
  /**
   * The route's own statuses. 400, 401, 403, 429 and 503 are added to every
   * route, 404 to routes with path parameters and 413 to routes with a body;
   * name 404 and 409 here when the handler throws them otherwise.
   */
  responses: Record<number, RouteResponse>;
  handler: (ctx: HandlerContext<P['_output'], Q['_output'], B['_output']>) => Promise<HandlerResult | void>;
}

function parseOrThrow<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw ApiError.validation(zodDetails(parsed.error, where === 'body' ? '' : where));
  return parsed.data;
}

/**
 * Text the database cannot store (NUL, unpaired surrogates), anywhere in the
 * request: one check for every route, before any schema, naming the field.
 * A raw file body is named by its line.
 */
function assertStorableText(req: Request, withBody: boolean): void {
  const bad =
    findUnstorableText(req.params, 'params') ??
    findUnstorableText(req.query, 'query') ??
    (withBody ? findUnstorableText(req.body, typeof req.body === 'string' ? 'body' : '') : envelopeKeyProblem(req.body));
  if (!bad) return;
  if (bad.path === 'body' && typeof req.body === 'string') {
    bad.message += ` (line ${req.body.split('\n').findIndex((line) => findUnstorableText(line)) + 1})`;
  }
  throw ApiError.validation([bad]);
}

/**
 * A body read item by item still has its own keys checked: a key with NUL is
 * refused as the document says, even one the handler would ignore.
 */
function envelopeKeyProblem(body: unknown) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  return findUnstorableText(Object.fromEntries(Object.keys(body).map((key) => [key, null])));
}

/** The operation's extension naming what it checks beyond its schemas (read by scripts/contract-check.ts). */
export const CHECKED_BEYOND_SCHEMA = 'x-checked-beyond-schema';

const ERROR_STATUSES: Record<number, string> = {
  400: 'validation_error: the request is invalid (malformed JSON, text with NUL characters, a value its schema refuses); details name each field',
  401: 'unauthorized: no Authorization: Bearer <key> header, or an unknown or revoked key',
  403: "forbidden: the key's role may not do this, or a sales key asks for an account it does not own",
  404: 'not_found: no such resource',
  413: 'payload_too_large: the body is larger than this route takes',
  429: 'rate_limited: too many requests with this key; retry after Retry-After seconds',
  503: 'unavailable: a service this request needs (database, Temporal) is unavailable; retry later',
};
const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before retrying', required: true, schema: { type: 'integer' as const, minimum: 0 } } };

/** The route's own responses and every error status it can answer, each in the error format (also for routes outside defineRoute). */
export function documentedResponses(own: RouteSpec<ZodObject, ZodObject, ZodType>['responses'], has: { params: boolean; body: boolean }) {
  const errors = [400, 401, 403, ...(has.params ? [404] : []), ...(has.body ? [413] : []), 429, 503];
  const all: Record<number, RouteResponse> = { ...Object.fromEntries(errors.map((s) => [s, { description: ERROR_STATUSES[s] }])), ...own };
  return Object.fromEntries(
    Object.entries(all).map(([status, r]) => {
      const schema = r.schema ?? (Number(status) >= 400 ? ErrorBody : undefined);
      return [status, { description: r.description, content: schema ? { 'application/json': { schema } } : undefined, links: r.links, ...(status === '429' ? { headers: RETRY_AFTER } : {}) }];
    }),
  );
}

/**
 * Registers a route on the router and in the OpenAPI registry at once, so the
 * served document cannot drift from what is validated, and checks the role
 * before the handler runs.
 */
export function defineRoute<P extends ZodObject, Q extends ZodObject, B extends ZodType>(
  router: Router,
  registry: OpenAPIRegistry,
  spec: RouteSpec<P, Q, B>,
): void {
  const documentedBody = spec.documentedBody ?? spec.body;
  const body = documentedBody
    ? { required: true, content: { 'application/json': { schema: documentedBody } } }
    : spec.fileBody && { required: true, content: Object.fromEntries(spec.fileBody.contentTypes.map((type) => [type, { schema: spec.fileBody!.schema }])) };
  registry.registerPath({
    method: spec.method,
    path: spec.path.replace(/:(\w+)/g, '{$1}'),
    summary: spec.summary,
    tags: [spec.tag],
    security: [{ bearerAuth: [] }],
    description: `Roles: ${spec.roles.join(', ')}${spec.checkedBeyondSchema ? `. Also checked (400 naming the field): ${spec.checkedBeyondSchema}` : ''}`,
    ...(spec.checkedBeyondSchema ? { [CHECKED_BEYOND_SCHEMA]: spec.checkedBeyondSchema } : {}),
    request: { params: spec.params, query: spec.query, body },
    responses: documentedResponses(spec.responses, { params: !!spec.params, body: !!body }),
  });

  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const auth = authOf(res);
    if (!spec.roles.includes(auth.role)) {
      throw ApiError.forbidden(`role '${auth.role}' may not ${spec.method.toUpperCase()} ${spec.path}; allowed: ${spec.roles.join(', ')}`);
    }
    // A handler that validates its body item by item (partial accept) checks each item's text itself.
    assertStorableText(req, !spec.documentedBody);
    if (spec.params && !spec.params.safeParse(req.params).success) {
      // The URL may be another route's (GET /v1/people/p_1 names no e-mail to PUT): that is a 405, not a bad parameter.
      const allow = methodsServing(registry, req.path);
      if (allow.length) throw methodNotAllowed(res, req.method, req.path, allow);
    }
    const params = parseOrThrow(spec.params, req.params, 'params');
    const query = parseOrThrow(spec.query, req.query, 'query');
    const body = parseOrThrow(spec.body, req.body, 'body');
    const result = await spec.handler({ params, query, body, auth, req, res });
    if (result) res.status(result.status).json(result.body);
  });
}
