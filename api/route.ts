import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import type { ZodObject, ZodType } from 'zod';
import type { Role } from '../domain/roles';
import { findUnstorableText } from '../domain/storable-text';
import { AuthContext, authOf } from './auth';
import { ApiError, zodDetails } from './errors';
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
  responses: Record<number, { description: string; schema?: ZodType }>;
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
    (withBody ? findUnstorableText(req.body, typeof req.body === 'string' ? 'body' : '') : undefined);
  if (!bad) return;
  if (bad.path === 'body' && typeof req.body === 'string') {
    bad.message += ` (line ${req.body.split('\n').findIndex((line) => findUnstorableText(line)) + 1})`;
  }
  throw ApiError.validation([bad]);
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
  registry.registerPath({
    method: spec.method,
    path: spec.path.replace(/:(\w+)/g, '{$1}'),
    summary: spec.summary,
    tags: [spec.tag],
    security: [{ bearerAuth: [] }],
    description: `Roles: ${spec.roles.join(', ')}`,
    request: {
      params: spec.params,
      query: spec.query,
      body: documentedBody ? { content: { 'application/json': { schema: documentedBody } } } : undefined,
    },
    responses: Object.fromEntries([
      ...Object.entries(spec.responses).map(([status, r]) => [
        status,
        { description: r.description, content: r.schema ? { 'application/json': { schema: r.schema } } : undefined },
      ]),
      ...[400, 401, 403].map((s) => [String(s), { description: 'error', content: { 'application/json': { schema: ErrorBody } } }]),
    ]),
  });

  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const auth = authOf(res);
    if (!spec.roles.includes(auth.role)) {
      throw ApiError.forbidden(`role '${auth.role}' may not ${spec.method.toUpperCase()} ${spec.path}; allowed: ${spec.roles.join(', ')}`);
    }
    // A handler that validates its body item by item (partial accept) checks each item's text itself.
    assertStorableText(req, !spec.documentedBody);
    const params = parseOrThrow(spec.params, req.params, 'params');
    const query = parseOrThrow(spec.query, req.query, 'query');
    const body = parseOrThrow(spec.body, req.body, 'body');
    const result = await spec.handler({ params, query, body, auth, req, res });
    if (result) res.status(result.status).json(result.body);
  });
}
