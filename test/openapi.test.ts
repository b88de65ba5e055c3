import { ADMIN_KEY, Harness, startHarness } from './support/harness';

let h: Harness;
let paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown; responses: Record<string, any> }>>;
beforeAll(async () => {
  h = await startHarness();
  paths = (await h.api('GET', '/openapi.json', undefined, null)).body.paths;
});
afterAll(() => h?.close());

async function raw(method: string, path: string, init: { body?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}` };
  if (init.contentType) headers['content-type'] = init.contentType;
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body: init.body });
  const text = await res.text();
  return { status: res.status, allow: res.headers.get('allow'), body: text ? JSON.parse(text) : undefined };
}

const operations = () =>
  Object.entries(paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));

describe('methods a path does not serve', () => {
  test('are a 405 in the error format with an Allow header naming the methods it serves', async () => {
    const res = await raw('DELETE', '/v1/events');
    expect(res.status).toBe(405);
    expect(res.allow).toBe('OPTIONS, POST');
    expect(res.body.error).toEqual({ code: 'method_not_allowed', message: expect.stringContaining('DELETE') });
    expect((await raw('PATCH', '/v1/segments/seg_abc')).allow).toBe('DELETE, GET, HEAD, OPTIONS');
  });

  test('OPTIONS answers 204 with the same Allow header', async () => {
    const res = await raw('OPTIONS', '/v1/scoring-model');
    expect(res.status).toBe(204);
    expect(res.allow).toBe('GET, HEAD, OPTIONS, PUT');
  });

  test('a URL of another route of the same pattern is a 405, not a bad parameter', async () => {
    // /v1/people/:email takes PUT, /v1/people/:personId takes GET.
    const email = await raw('GET', '/v1/people/dana@example.com');
    expect(email.status).toBe(405);
    expect(email.allow).toBe('OPTIONS, PUT');
    const personId = await raw('PUT', '/v1/people/p_123', { body: '{}', contentType: 'application/json' });
    expect(personId.status).toBe(405);
    expect(personId.allow).toBe('GET, HEAD, OPTIONS');
    // A literal path is no segment id: GET /v1/segments/preview is served by no route.
    expect((await raw('GET', '/v1/segments/preview')).allow).toBe('OPTIONS, POST');
  });

  test('an unknown path is still a 404', async () => {
    expect((await raw('DELETE', '/v1/nothing-here')).status).toBe(404);
  });
});

describe('bodies the parsers refuse', () => {
  test('malformed JSON is a 400 and a body over the limit a 413, both in the error format', async () => {
    const malformed = await raw('PUT', '/v1/accounts/acme', { body: '{"name": ', contentType: 'application/json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_error');
    const tooLarge = await raw('PUT', '/v1/accounts/acme', { body: JSON.stringify({ name: 'x'.repeat(6 * 1024 * 1024) }), contentType: 'application/json' });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('payload_too_large');
  });

  test('an undecodable escape in a path parameter is a 400, not a 500', async () => {
    const res = await raw('GET', '/v1/segments/seg_%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
  });
});

describe('the OpenAPI document', () => {
  test('every operation documents 400, 401, 403, 429 (with Retry-After) and 503 in the error format', () => {
    const missing = operations().flatMap(({ name, op }) =>
      ['400', '401', '403', '429', '503'].filter((s) => op.responses[s]?.content?.['application/json']?.schema?.$ref !== '#/components/schemas/Error').map((s) => `${name} ${s}`),
    );
    expect(missing).toEqual([]);
    expect(operations().filter(({ op }) => !op.responses['429'].headers?.['Retry-After']?.required)).toEqual([]);
  });

  test('operations with path parameters document 404, operations with a body 413 and a required body', () => {
    const withParams = operations().filter(({ op }) => op.parameters?.some((p) => p.in === 'path'));
    const withBody = operations().filter(({ op }) => op.requestBody);
    expect(withParams.length).toBeGreaterThan(10);
    expect(withBody.length).toBeGreaterThan(10);
    expect(withParams.filter(({ op }) => !op.responses['404']).map((o) => o.name)).toEqual([]);
    expect(withBody.filter(({ op }) => !op.responses['413'] || !(op.requestBody as { required?: boolean }).required).map((o) => o.name)).toEqual([]);
  });

  test('every link names an operation of the document and gives all of its path parameters', () => {
    const links = operations().flatMap(({ name, op }) =>
      Object.values(op.responses).flatMap((r) => Object.entries((r.links ?? {}) as Record<string, { operationRef: string; parameters: Record<string, string> }>).map(([link, l]) => ({ from: `${name} ${link}`, ...l }))),
    );
    expect(links.length).toBeGreaterThan(5);
    const broken = links.filter(({ operationRef, parameters }) => {
      const [, pointer, method] = /^#\/paths\/(.+)\/(\w+)$/.exec(operationRef) ?? [];
      const path = pointer?.replace(/~1/g, '/').replace(/~0/g, '~');
      const target = path ? paths[path]?.[method] : undefined;
      const wanted = (target?.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      return !target || wanted.some((name) => !parameters[name]);
    });
    expect(broken.map((l) => l.from)).toEqual([]);
  });

  test('states the constraints the validators enforce: at-least-one-of, exactly-one-of, patterns', async () => {
    const { components } = (await h.api('GET', '/openapi.json', undefined, null)).body;
    expect(components.schemas.PersonIdentifiers.anyOf).toEqual([{ required: ['email'] }, { required: ['anonymousId'] }, { required: ['crmId'] }, { required: ['leadId'] }]);
    expect(components.schemas.BuyingGroupSetUp.oneOf).toEqual([{ required: ['accountKeys'] }, { required: ['segmentId'] }]);
    expect(components.schemas.PersonIdentifiers.properties.email.pattern).toBeDefined();
    expect(components.schemas.Journey.properties.nodes).toMatchObject({ minProperties: 1, maxProperties: 200 });
    // Text with NUL is refused everywhere: a free-text field says so.
    expect(components.schemas.PersonIdentifiers.properties.anonymousId.pattern).toContain('\\u0000');
  });
});
