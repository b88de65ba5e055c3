import { event } from './support/events';
import { startFakeHubSpot, type FakeHubSpot } from './support/fake-hubspot';
import { startFakeSalesforce, type FakeSalesforce } from './support/fake-salesforce';
import { eventually, Harness, startHarness } from './support/harness';
import { journeyApi } from './support/journeys';
import { startWorkerProcess } from './support/worker-process';

// Quick retries: a CRM outage in these tests lasts seconds.
let h: Harness;
let hubspot: FakeHubSpot;
let salesforce: FakeSalesforce;
beforeAll(async () => {
  hubspot = await startFakeHubSpot();
  salesforce = await startFakeSalesforce();
  h = await startHarness({ EMAIL_RETRY_INITIAL_SECONDS: '0.5' });
  expect((await h.api('PUT', '/v1/scoring-model', { fit: [], behavior: [{ id: 'pricing', event: 'web_visit', within: 'P30D', points: 60 }], qualifyAt: 50 })).status).toBe(200);
  expect((await h.api('PUT', '/v1/crm-connections/hubspot', { kind: 'hubspot', baseUrl: hubspot.url, accessToken: hubspot.token })).status).toBe(201);
  // Salesforce gets only what a journey sends it by name.
  const sf = { kind: 'salesforce', baseUrl: salesforce.url, accessToken: salesforce.token, sync: { qualifiedLeads: false, buyingGroups: false } };
  expect((await h.api('PUT', '/v1/crm-connections/salesforce', sf)).status).toBe(201);
});
afterAll(async () => {
  await h?.close();
  await hubspot?.close();
  await salesforce?.close();
});

const { publish, launch } = journeyApi(() => h);
type Message = { id: string; type: string; status: string; reason?: string; providerId?: string; attempts: { ok: boolean; error?: string }[] };
const crmMessages = async (accountKey: string) => (await h.api('GET', `/v1/outbound-messages?channel=crm&accountKey=${accountKey}`)).body.items as Message[];
const settled = (accountKey: string, count: number, what: string) =>
  eventually(async () => {
    const items = await crmMessages(accountKey);
    return items.length === count && items.every((m) => ['sent', 'dead', 'suppressed'].includes(m.status)) ? items : undefined;
  }, { what, timeoutMs: 60_000 });
const visit = (email: string, eventId: string) => h.api('POST', '/v1/events', { events: [event({ eventId, type: 'web_visit', occurredAt: new Date().toISOString(), person: { email } })] });
const upsertsOf = (email: string) => hubspot.requests.filter((r) => r.path.startsWith('/crm/v3/objects/contacts/batch/upsert') && r.raw.includes(email));

async function account(key: string, people: string[], extra: Record<string, unknown> = {}) {
  await h.api('PUT', `/v1/accounts/${key}`, { name: key, domain: `${key}.example`, ...extra });
  for (const p of people) await h.api('PUT', `/v1/people/${p}@${key}.example`, { firstName: p, accountKey: key });
}

test('a lead who becomes qualified is upserted in the CRM exactly once, even when the CRM first answers 429, and a replayed event sends nothing more', async () => {
  await account('initech', ['pat']);
  hubspot.failNext(1, 429, '1');
  await visit('pat@initech.example', 'initech-visit-1');
  const [message] = await settled('initech', 1, "Pat's upsert");
  expect(message).toMatchObject({ type: 'lead.qualified', status: 'sent', providerId: hubspot.state.contacts.get('pat@initech.example')!.id });
  expect(message.attempts.map((a) => a.ok)).toEqual([false, true]);
  expect(message.attempts[0].error).toMatch(/429/);
  expect(hubspot.state.contacts.get('pat@initech.example')!.properties).toMatchObject({ b2b_status: 'qualified', b2b_score: '60' });
  expect(upsertsOf('pat@initech.example')).toHaveLength(2);

  await visit('pat@initech.example', 'initech-visit-1');
  await eventually(async () => ((await h.api('GET', '/v1/accounts/initech')).body.activity?.total >= 1 ? true : undefined), { what: 'the replay to be applied' });
  await new Promise((r) => setTimeout(r, 2000));
  expect(await crmMessages('initech')).toHaveLength(1);
  expect(upsertsOf('pat@initech.example')).toHaveLength(2);
}, 90_000);

test('when the CRM rejects one lead of a batch, that lead fails with the CRM\'s reason and the others are upserted', async () => {
  await account('globex', ['ann', 'bob', 'cid']);
  hubspot.reject(['bob@globex.example'], 'Property values were not valid: email');
  await h.api('POST', '/v1/events', {
    events: ['ann', 'bob', 'cid'].map((p) => event({ eventId: `globex-${p}`, type: 'web_visit', occurredAt: new Date().toISOString(), person: { email: `${p}@globex.example` } })),
  });
  const messages = await settled('globex', 3, 'three upserts');
  expect(messages.filter((m) => m.status === 'sent')).toHaveLength(2);
  const dead = messages.filter((m) => m.status === 'dead');
  expect(dead).toHaveLength(1);
  expect(dead[0].reason).toMatch(/Property values were not valid/);
  expect([...hubspot.state.contacts.keys()].filter((k) => k.endsWith('@globex.example')).sort()).toEqual(['ann@globex.example', 'cid@globex.example']);
}, 90_000);

test('with the CRM down for a while, every lead is delivered once after it is back', async () => {
  await account('umbrella', ['dee', 'eve']);
  hubspot.failNext(4, 503);
  await h.api('POST', '/v1/events', { events: ['dee', 'eve'].map((p) => event({ eventId: `umbrella-${p}`, type: 'web_visit', occurredAt: new Date().toISOString(), person: { email: `${p}@umbrella.example` } })) });
  const messages = await settled('umbrella', 2, 'both upserts');
  expect(messages.map((m) => m.status)).toEqual(['sent', 'sent']);
  expect(messages.some((m) => m.attempts.some((a) => !a.ok && /503/.test(a.error ?? '')))).toBe(true);
  for (const p of ['dee', 'eve']) expect(hubspot.state.contacts.has(`${p}@umbrella.example`)).toBe(true);
}, 90_000);

test("a buying group shared with sales becomes the company in the CRM, its members associated with it, and a task for the account's owner", async () => {
  await account('stark', [], { ownerId: 'hubspot-owner-7' });
  expect(
    (await h.api('PUT', '/v1/role-templates/seeds', { name: 'Seeds', solutionInterest: 'Seeds', completeAt: 60, roles: [{ role: 'decision maker', weight: 60, required: true, when: { field: 'person.jobTitle', op: 'contains', value: 'CTO' } }, { role: 'sponsor', weight: 40, when: { field: 'person.jobTitle', op: 'contains', value: 'VP' } }] })).status,
  ).toBe(201);
  expect((await h.api('POST', '/v1/buying-groups', { solutionInterest: 'Seeds', roleTemplate: 'seeds', accountKeys: ['stark'] })).status).toBe(202);
  await h.api('PUT', '/v1/people/tony@stark.example', { jobTitle: 'CTO', accountKey: 'stark' });
  const messages = await settled('stark', 4, 'company, member, association and task');
  expect(messages.map((m) => [m.type, m.status]).sort()).toEqual([
    ['buying_group.association', 'sent'],
    ['buying_group.company', 'sent'],
    ['buying_group.member', 'sent'],
    ['buying_group.task', 'sent'],
  ]);
  const company = hubspot.state.companies.get('stark.example')!;
  const contact = hubspot.state.contacts.get('tony@stark.example')!;
  expect(contact.properties).toMatchObject({ b2b_role: 'decision maker' });
  expect(hubspot.state.associations.has(`${contact.id}->${company.id}`)).toBe(true);
  const tasks = hubspot.state.tasks.filter((t) => t.properties.hs_task_subject === 'Buying group ready: stark Seeds Buying Group');
  expect(tasks).toHaveLength(1);
  expect(tasks[0].properties).toMatchObject({ hubspot_owner_id: 'hubspot-owner-7', hs_task_body: 'stark Seeds Buying Group on stark is 60% complete with 1 member. Missing roles: sponsor.' });
}, 90_000);

test("a journey's syncToCrm upserts the account's contacts with the journey's lead status, and notifySales creates a task for the owner", async () => {
  await account('hooli', ['gil', 'hal'], { ownerId: 'hubspot-owner-9' });
  const journey = await publish({
    name: 'Hand over',
    start: 'sync',
    nodes: {
      sync: { type: 'action', action: 'syncToCrm', params: { connection: 'hubspot', status: 'SALES_READY', campaign: 'spring-launch' }, next: 'tell' },
      tell: { type: 'action', action: 'notifySales', params: { connection: 'hubspot', message: 'Hooli is ready for a call' }, next: 'done' },
      done: { type: 'exit' },
    },
  });
  await launch(journey, ['hooli']);
  const messages = await settled('hooli', 3, 'two upserts and a task');
  expect(messages.every((m) => m.status === 'sent')).toBe(true);
  expect(hubspot.state.contacts.get('gil@hooli.example')!.properties).toMatchObject({ b2b_status: 'SALES_READY', b2b_tags: 'spring-launch' });
  expect(hubspot.state.tasks.find((t) => t.properties.hs_task_body === 'Hooli is ready for a call')!.properties).toMatchObject({ hubspot_owner_id: 'hubspot-owner-9' });
}, 90_000);

test('a worker killed (SIGKILL) while the CRM holds its request open: the next worker sends again, and the CRM holds one contact and one task', async () => {
  await account('wayne', ['ivy'], { ownerId: 'hubspot-owner-3' });
  const journey = await publish({
    name: 'Hand over, interrupted',
    start: 'sync',
    nodes: {
      sync: { type: 'action', action: 'syncToCrm', params: { connection: 'hubspot' }, next: 'tell' },
      tell: { type: 'action', action: 'notifySales', params: { connection: 'hubspot', message: 'Wayne wants a demo' }, next: 'done' },
      done: { type: 'exit' },
    },
  });
  await h.stopWorker();
  let worker = await startWorkerProcess(h.config);
  try {
    hubspot.holdNext(1);
    await launch(journey, ['wayne']);
    await eventually(async () => (hubspot.heldCount() ? true : undefined), { what: 'a CRM request held open' });
    await worker.kill();
    // The CRM finishes what the killed worker asked, as a real one would.
    hubspot.release();
    worker = await startWorkerProcess(h.config);
    const messages = await eventually(async () => {
      const items = await crmMessages('wayne');
      return items.length === 2 && items.every((m) => m.status === 'sent') ? items : undefined;
    }, { what: 'the contact and the task sent', timeoutMs: 150_000 });
    expect(messages.map((m) => m.type).sort()).toEqual(['notifySales', 'syncToCrm']);
  } finally {
    await worker.kill();
    await h.startWorker();
  }
  expect([...hubspot.state.contacts.keys()].filter((k) => k === 'ivy@wayne.example')).toHaveLength(1);
  expect(hubspot.state.tasks.filter((t) => t.properties.hs_task_body === 'Wayne wants a demo')).toHaveLength(1);
  // Sent twice over the wire (the killed attempt and its retry), held once by the CRM.
  expect(hubspot.requests.filter((r) => r.raw.includes('ivy@wayne.example') || r.raw.includes('Wayne wants a demo')).length).toBeGreaterThan(2);
}, 200_000);

test("a journey's syncToCrm naming Salesforce upserts the account's contacts as Leads by external id, and only there", async () => {
  await account('soylent', ['jo', 'kim']);
  const journey = await publish({ name: 'To Salesforce', start: 'sync', nodes: { sync: { type: 'action', action: 'syncToCrm', params: { connection: 'salesforce' }, next: 'done' }, done: { type: 'exit' } } });
  await launch(journey, ['soylent']);
  const messages = await settled('soylent', 2, 'two Salesforce upserts');
  expect(messages.every((m) => m.status === 'sent' && m.id.includes(':salesforce:'))).toBe(true);
  const leads = salesforce.state.upserted.get('Lead')!;
  expect(leads.get('jo@soylent.example')).toMatchObject({ Email: 'jo@soylent.example', FirstName: 'jo', Company: 'soylent.example' });
  expect(messages.map((m) => m.providerId).sort()).toEqual([leads.get('jo@soylent.example')!.Id, leads.get('kim@soylent.example')!.Id].sort());
  expect(hubspot.state.contacts.has('jo@soylent.example')).toBe(false);
}, 90_000);
