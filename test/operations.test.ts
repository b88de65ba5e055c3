import { Harness, startHarness } from './support/harness';
import { event } from './support/events';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('what an operator relies on', () => {
  test('health says the process is up and readiness checks MongoDB and Temporal', async () => {
    expect(await h.api('GET', '/healthz', undefined, null)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await h.api('GET', '/readyz', undefined, null)).toEqual({ status: 200, body: { mongo: 'ok', temporal: 'ok' } });
  });

  test('metrics count ingested events by result in Prometheus format', async () => {
    await h.api('POST', '/v1/events', { events: [event(), event({ type: 'nope' })] });
    const res = await h.api('GET', '/metrics', undefined, null);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/events_ingested_total\{result="accepted"\} 1/);
    expect(res.body).toMatch(/events_ingested_total\{result="rejected"\} 1/);
    expect(res.body).toMatch(/http_request_duration_seconds_bucket\{.*route="\/v1\/events"/);
  });

  test('the OpenAPI document describes every endpoint with its roles and the error format', async () => {
    const res = await h.api('GET', '/openapi.json', undefined, null);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/events', '/v1/accounts/{accountKey}', '/v1/people/{email}', '/v1/people/{personId}', '/v1/api-keys', '/v1/audit-log']),
    );
    expect(res.body.paths['/v1/events'].post.description).toBe('Roles: admin, ingest, marketer');
    expect(res.body.components.schemas.Event.properties.type.enum).toContain('whitepaper_download');
    expect(res.body.components.schemas.Error).toBeDefined();
    expect((await h.api('GET', '/docs/', undefined, null)).status).toBe(200);
  });

  test('an unknown route is a 404 in the error format', async () => {
    const res = await h.api('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('who sees what', () => {
  test('a sales rep reads her own account, is refused another, and every profile read is audited', async () => {
    await h.api('PUT', '/v1/accounts/own', { name: 'Own Co', ownerId: 'rep-1' });
    await h.api('PUT', '/v1/accounts/other', { name: 'Other Co', ownerId: 'rep-2' });
    const { personId } = (await h.api('PUT', '/v1/people/dana@own.example', { firstName: 'Dana', accountKey: 'own' })).body;
    const sales = (await h.api('POST', '/v1/api-keys', { role: 'sales', name: 'rep one', ownerId: 'rep-1' })).body;

    expect((await h.api('GET', '/v1/accounts/own', undefined, sales.key)).status).toBe(200);
    expect((await h.api('GET', `/v1/people/${personId}`, undefined, sales.key)).body.attributes.email).toBe('dana@own.example');
    const refused = await h.api('GET', '/v1/accounts/other', undefined, sales.key);
    expect(refused.status).toBe(403);

    const audit = await h.api('GET', '/v1/audit-log?limit=10');
    expect(audit.body.items.map((e: { keyId: string; resource: string }) => [e.keyId, e.resource])).toEqual(
      expect.arrayContaining([
        [sales.id, 'account:own'],
        [sales.id, `person:${personId}`],
      ]),
    );
    expect((await h.api('GET', '/v1/audit-log', undefined, sales.key)).status).toBe(403);
  });

  test('an operator sees profiles with personal data masked', async () => {
    const { personId } = (await h.api('PUT', '/v1/people/erin.smith@masked.example', { firstName: 'Erin', lastName: 'Smith' })).body;
    const operator = (await h.api('POST', '/v1/api-keys', { role: 'operator', name: 'on call' })).body;
    const res = await h.api('GET', `/v1/people/${personId}`, undefined, operator.key);
    expect(res.body.masked).toBe(true);
    expect(res.body.attributes).toMatchObject({ email: 'e***@masked.example', firstName: 'E***', lastName: 'S***' });
    expect(res.body.identities).toEqual([{ kind: 'email', value: 'e***@masked.example' }]);
  });

  test('API keys are stored hashed: listing them never shows a key', async () => {
    const created = (await h.api('POST', '/v1/api-keys', { role: 'marketer', name: 'campaigns' })).body;
    const list = await h.api('GET', '/v1/api-keys?limit=500');
    const listed = list.body.items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ role: 'marketer', name: 'campaigns' });
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    expect(listed.hash).toBeUndefined();
  });

  test('a sales key without an owner cannot be created', async () => {
    const res = await h.api('POST', '/v1/api-keys', { role: 'sales', name: 'nobody' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('ownerId');
  });
});
