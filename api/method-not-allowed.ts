import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Response, Router } from 'express';
import { ApiError } from './errors';

const paramNames = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

/** The path parameters of `url` if it is of the route's template (`/v1/people/{personId}`). */
function paramsOf(route: RouteConfig, url: string): Record<string, string> | undefined {
  const match = new RegExp(`^${route.path.replace(/\{\w+\}/g, '([^/]+)')}/?$`).exec(url);
  if (!match) return undefined;
  try {
    return Object.fromEntries(paramNames(route.path).map((name, i) => [name, decodeURIComponent(match[i + 1])]));
  } catch {
    return undefined;
  }
}

const routes = (registry: OpenAPIRegistry) => registry.definitions.flatMap((d) => (d.type === 'route' ? [d.route] : []));

function allowHeader(served: RouteConfig[]): string[] {
  const methods = served.map((r) => r.method.toUpperCase());
  if (methods.includes('GET')) methods.push('HEAD');
  return [...new Set([...methods, 'OPTIONS'])].sort();
}

/**
 * The methods served at a URL: of the routes of its template, those whose
 * path parameters accept it (GET /v1/people/p_1 names a person id, PUT
 * /v1/people/a@b.example an email; /v1/segments/preview is no segment id).
 * With `anyParams`, every route of a matching template counts.
 */
export function methodsServing(registry: OpenAPIRegistry, url: string, anyParams = false): string[] {
  const served = routes(registry).filter((r) => {
    const params = paramsOf(r, url);
    return params && (anyParams || !r.request?.params || r.request.params.safeParse(params).success);
  });
  return served.length ? allowHeader(served) : [];
}

/** 405 with the Allow header (RFC 9110) and the error body. */
export function methodNotAllowed(res: Response, method: string, url: string, allow: string[]): ApiError {
  res.set('Allow', allow.join(', '));
  return new ApiError(405, 'method_not_allowed', `${method} is not served at ${url}; allowed: ${allow.join(', ')}`);
}

/**
 * After every route: a documented path asked with a method it does not serve
 * answers 405 (OPTIONS: 204), both with Allow; unknown paths go on to 404.
 */
export function answerUnservedMethods(router: Router, registry: OpenAPIRegistry): void {
  const paths = new Set(routes(registry).map((r) => r.path.replace(/\{(\w+)\}/g, ':$1')));
  router.all([...paths], (req, res, next) => {
    const allow = methodsServing(registry, req.path);
    const served = allow.length ? allow : methodsServing(registry, req.path, true);
    if (req.method !== 'OPTIONS') return next(methodNotAllowed(res, req.method, req.path, served));
    res.set('Allow', served.join(', ')).status(204).end();
  });
}
