import { createHmac } from 'node:crypto';
import { connectionWithSecrets } from '../lib/crm-connections';
import { CrmConnection } from '../models/crm-connection';
import { Identity } from '../models/identity';
import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;
let ann: string;
let bob: string;
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const SECRET = 'the-inbound-secret-of-our-hubspot';

beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme', domain: 'acme.example' });
  ann = (await h.api('PUT', '/v1/people/ann@acme.example', { firstName: 'Ann', accountKey: 'acme' })).body.personId;
  bob = (await h.api('POST', '/v1/identify', { person: { email: 'bob@acme.example', crmId: 'CRM-BOB' }, accountKey: 'acme' })).body.personId;
  expect((await h.api('PUT', '/v1/crm-connections/hubspot', { kind: 'hubspot', accessToken: TOKEN, secret: SECRET })).status).toBe(201);
}, 60_000);
afterAll(() => h?.close());

const newKey = async (role: string) => (await h.api('POST', '/v1/api-keys', { role, name: `${role} key` })).body.key as string;
const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** What the CRM sends: the body as text, signed with the connection's secret unless told otherwise (`null`: unsigned). */
async function inbound(connection: string, body: unknown, signature?: string | null) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? sign(text) : signature;
  if (sig) headers['x-signature'] = sig;
  const res = await fetch(`${h.baseUrl}/v1/crm-connections/${connection}/inbound`, { method: 'POST', headers, body: text });
  return { status: res.status, body: (await res.json()) as any };
}
const statusEvents = async (personId: string) =>
  ((await h.api('GET', `/v1/people/${personId}/timeline?limit=500`)).body.items as { eventId: string; type: string; properties: Record<string, unknown> }[]).filter((e) => e.type === 'crm_status_changed');

describe('connecting a CRM', () => {
  test('the access token and inbound secret are stored encrypted and never shown; a later change that leaves them out keeps them', async () => {
    const created = await h.api('PUT', '/v1/crm-connections/hubspot-sandbox', {
      kind: 'hubspot', baseUrl: 'https://sandbox.hubapi.example', accessToken: TOKEN, secret: SECRET, mapping: { person: { score: 'lead_score' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'hubspot-sandbox', kind: 'hubspot', hasAccessToken: true, hasSecret: true, rateLimitPerSecond: 19, sync: { qualifiedLeads: true, buyingGroups: true } });
    const shown = JSON.stringify([created.body, (await h.api('GET', '/v1/crm-connections/hubspot-sandbox')).body, (await h.api('GET', '/v1/crm-connections')).body]);
    expect(shown).not.toContain(TOKEN);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toMatch(/"accessToken"|"secret"/);
    const stored = JSON.stringify(await CrmConnection.findOne({ _id: 'hubspot-sandbox' }).lean());
    expect(stored).not.toContain(TOKEN);
    expect(stored).not.toContain(SECRET);

    const changed = await h.api('PUT', '/v1/crm-connections/hubspot-sandbox', { kind: 'hubspot', rateLimitPerSecond: 5, sync: { buyingGroups: false } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ hasAccessToken: true, hasSecret: true, baseUrl: null, mapping: {}, rateLimitPerSecond: 5, sync: { qualifiedLeads: true, buyingGroups: false } });
    expect(await connectionWithSecrets('hubspot-sandbox')).toMatchObject({ kind: 'hubspot', accessToken: TOKEN, secret: SECRET, rateLimitPerSecond: 5 });

    const cleared = await h.api('PUT', '/v1/crm-connections/hubspot-sandbox', { kind: 'hubspot', accessToken: null });
    expect(cleared.body).toMatchObject({ hasAccessToken: false, hasSecret: true });
  });

  test('a stored token copied onto another connection in the database does not open there', async () => {
    await h.api('PUT', '/v1/crm-connections/copy-target', { kind: 'hubspot' });
    const { accessToken } = (await CrmConnection.findOne({ _id: 'hubspot' }).lean())!;
    await CrmConnection.updateOne({ _id: 'copy-target' }, { $set: { accessToken } });
    await expect(connectionWithSecrets('copy-target')).rejects.toThrow(/accessToken does not open/);
    expect((await connectionWithSecrets('hubspot'))?.accessToken).toBe(TOKEN);
    await h.api('DELETE', '/v1/crm-connections/copy-target');
  });

  test('each kind of CRM gets its own pace unless told: HubSpot 19, Salesforce 25, webhooks 10 requests a second', async () => {
    const salesforce = await h.api('PUT', '/v1/crm-connections/salesforce', { kind: 'salesforce', baseUrl: 'https://acme.my.salesforce.example', accessToken: TOKEN });
    const webhook = await h.api('PUT', '/v1/crm-connections/webhook', { kind: 'webhook', baseUrl: 'https://crm-bridge.example/leads', secret: SECRET });
    expect([salesforce.body.rateLimitPerSecond, webhook.body.rateLimitPerSecond]).toEqual([25, 10]);
    expect((await h.api('GET', '/v1/crm-connections/hubspot')).body.rateLimitPerSecond).toBe(19);
  });

  test('only an admin creates, changes or deletes a connection; marketers and operators may look at them', async () => {
    const marketer = await newKey('marketer');
    expect((await h.api('PUT', '/v1/crm-connections/rogue', { kind: 'hubspot', accessToken: TOKEN }, marketer)).status).toBe(403);
    expect((await h.api('DELETE', '/v1/crm-connections/hubspot', undefined, marketer)).status).toBe(403);
    expect((await h.api('GET', '/v1/crm-connections/hubspot', undefined, marketer)).body).toMatchObject({ key: 'hubspot', hasAccessToken: true });
    expect((await h.api('GET', '/v1/crm-connections/hubspot', undefined, await newKey('operator'))).status).toBe(200);
    expect((await h.api('GET', '/v1/crm-connections/rogue')).status).toBe(404);
  });

  test('every change of a connection is in the audit log', async () => {
    await h.api('PUT', '/v1/crm-connections/short-lived', { kind: 'hubspot' });
    expect((await h.api('DELETE', '/v1/crm-connections/short-lived')).status).toBe(204);
    expect((await h.api('GET', '/v1/crm-connections/short-lived')).status).toBe(404);
    const log = (await h.api('GET', '/v1/audit-log?limit=500')).body.items as { action: string; resource: string; role: string }[];
    expect(log.filter((e) => e.resource === 'crm-connection:short-lived').map((e) => e.action).sort()).toEqual(['delete', 'write']);
  });

  test('a connection with a bad setting is refused with a 400 naming the setting', async () => {
    const refused = async (body: unknown) => (await h.api('PUT', '/v1/crm-connections/bad', body)).body.error.details.map((d: { path: string }) => d.path);
    expect(await refused({ kind: 'pipedrive' })).toEqual(['kind']);
    expect(await refused({ kind: 'hubspot', rateLimitPerSecond: 0 })).toEqual(['rateLimitPerSecond']);
    expect(await refused({ kind: 'hubspot', baseUrl: 'ftp://files.example' })).toEqual(['baseUrl']);
    expect(await refused({ kind: 'webhook' })).toEqual(['baseUrl']);
    expect(await refused({ kind: 'hubspot', secret: 'short' })).toEqual(['secret']);
    expect(await refused({ kind: 'hubspot', mapping: { person: { leadScore: 'x' } } })).toEqual(['mapping.person']);
    expect(await refused({ kind: 'hubspot', mapping: { person: { email: '' } } })).toEqual(['mapping.person.email']);
    expect((await h.api('GET', '/v1/crm-connections/bad')).status).toBe(404);
  });
});

describe("the CRM's status coming back", () => {
  test('a call that is unsigned or signed with another secret is refused and changes nothing', async () => {
    const body = { records: [{ email: 'ann@acme.example', status: 'Disqualified' }] };
    expect(await inbound('hubspot', body, null)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await inbound('hubspot', body, sign(JSON.stringify(body), 'another-secret-entirely'))).status).toBe(401);
    expect((await inbound('hubspot', body, 'sha256=not-hex')).status).toBe(401);
    expect((await inbound('no-such-crm', body)).status).toBe(404);
    // The Salesforce connection has no secret: nobody can sign for it.
    expect((await inbound('salesforce', body)).status).toBe(409);
    expect((await h.api('GET', `/v1/people/${ann}`)).body.crm?.status).not.toBe('Disqualified');
  });

  test("a signed call sets each person's CRM status, found by email or CRM id, and records a crm_status_changed event that scoring sees; unknown people are listed, not created", async () => {
    const answer = await inbound('hubspot', {
      records: [
        { email: 'Ann@Acme.example', status: 'SQL' },
        { email: 'nobody@acme.example', status: 'SQL' },
        { crmId: 'CRM-BOB', status: 'Working', changedAt: '2026-03-02T09:30:00+01:00' },
      ],
    });
    expect(answer).toEqual({ status: 200, body: { updated: 2, unchanged: 0, unknown: [1] } });

    expect((await h.api('GET', `/v1/people/${ann}`)).body.crm).toMatchObject({ status: 'SQL', connection: 'hubspot' });
    expect((await h.api('GET', `/v1/people/${bob}`)).body.crm).toEqual({ status: 'Working', connection: 'hubspot', updatedAt: '2026-03-02T08:30:00.000Z' });
    expect((await statusEvents(ann)).map((e) => e.properties)).toEqual([{ status: 'SQL', previousStatus: null, connection: 'hubspot' }]);
    expect((await statusEvents(bob)).map((e) => e.properties)).toEqual([{ status: 'Working', previousStatus: null, connection: 'hubspot' }]);
    expect(await Identity.findOne({ _id: 'email:nobody@acme.example' }).lean()).toBeNull();
    // Applied by Ann's account workflow like any event: her activity counts it.
    await eventually(async () => ((await h.api('GET', `/v1/people/${ann}`)).body.activity.byType.crm_status_changed === 1 ? true : undefined), { what: "Ann's status change applied" });
  });

  test('the same call sent again adds no second event; a later status is a new event naming the one before', async () => {
    const body = JSON.stringify({ records: [{ email: 'ann@acme.example', status: 'Opportunity' }] });
    expect((await inbound('hubspot', body)).body).toEqual({ updated: 1, unchanged: 0, unknown: [] });
    expect((await inbound('hubspot', body)).body).toEqual({ updated: 0, unchanged: 1, unknown: [] });
    const events = await statusEvents(ann);
    expect(events.filter((e) => e.properties.status === 'Opportunity').map((e) => e.properties)).toEqual([{ status: 'Opportunity', previousStatus: 'SQL', connection: 'hubspot' }]);

    // A late retry of an older change (by the CRM's time of change) does not undo a newer one.
    expect((await inbound('hubspot', { records: [{ crmId: 'CRM-BOB', status: 'New', changedAt: '2026-03-01T00:00:00Z' }] })).body).toEqual({ updated: 0, unchanged: 1, unknown: [] });
    expect((await h.api('GET', `/v1/people/${bob}`)).body.crm.status).toBe('Working');
  });

  test('a signed call with a bad record is refused with a 400 naming the record and field', async () => {
    const refused = await inbound('hubspot', { records: [{ email: 'ann@acme.example', status: 'SQL' }, { email: 'ann@acme.example', status: '' }] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toEqual(['records.1.status']);
    expect((await inbound('hubspot', { records: [{ status: 'SQL' }] })).body.error.details.map((d: { path: string }) => d.path)).toEqual(['records.0']);
    expect((await inbound('hubspot', { records: [] })).status).toBe(400);
    expect((await inbound('hubspot', '{"records": [')).status).toBe(400);
  });
});
