import { leadTransferScheduleId } from '../lib/lead-transfer-schedule';
import { event } from './support/events';
import { startFakeHubSpot, type FakeHubSpot } from './support/fake-hubspot';
import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;
let crm: FakeHubSpot;
beforeAll(async () => {
  // Seconds, so a schedule fires within a test; deployments keep the one-minute minimum.
  h = await startHarness({ LEAD_TRANSFER_MIN_EVERY_SECONDS: '1' });
  crm = await startFakeHubSpot();
  // Only the transfers send to this CRM: no qualified-lead or buying-group sync beside them.
  const connection = await h.api('PUT', '/v1/crm-connections/hubspot', { kind: 'hubspot', baseUrl: crm.url, accessToken: crm.token, sync: { qualifiedLeads: false, buyingGroups: false } });
  expect(connection.status).toBe(201);
  const model = await h.api('PUT', '/v1/scoring-model', {
    fit: [],
    behavior: [
      { id: 'visit', event: 'web_visit', within: 'P30D', points: 20 },
      { id: 'meeting', event: 'meeting_booked', within: 'P30D', points: 40 },
    ],
    qualifyAt: 100,
  });
  expect(model.status).toBe(200);
});
afterAll(async () => {
  await h?.close();
  await crm?.close();
});

type Run = { runId: string; status: string; transferred: number; skipped: number; failed: number; pending: number };
type Lead = { personId: string; email: string; outcome: string; error?: string };

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString();

/** People who visited during a campaign, as members of a segment of that campaign's visitors; returns the segment and their ids. */
async function campaignVisitors(campaign: string, emails: string[]): Promise<{ segmentId: string; people: Record<string, string> }> {
  const segment = await h.api('POST', '/v1/segments', {
    name: `Visitors of ${campaign}`,
    level: 'person',
    definition: { performed: 'web_visit', where: { field: 'event.properties.campaign', op: 'eq', value: campaign }, within: 'P30D' },
  });
  expect(segment.status).toBe(201);
  const events = emails.map((email) => event({ type: 'web_visit', occurredAt: yesterday(), person: { email }, properties: { campaign } }));
  expect((await h.api('POST', '/v1/events', { events })).body.accepted).toBe(emails.length);
  const people: Record<string, string> = {};
  for (const email of emails) people[email] = (await h.api('PUT', `/v1/people/${email}`, {})).body.personId;
  await eventually(
    async () => {
      const members = (await h.api('GET', `/v1/segments/${segment.body.id}/members`)).body.items as { memberId: string }[];
      return members.length === emails.length ? true : undefined;
    },
    { what: `the ${campaign} visitors in their segment`, timeoutMs: 30000 },
  );
  return { segmentId: segment.body.id, people };
}

async function createTransfer(segmentId: string, every = 'PT1H', name = 'Hand-over to sales'): Promise<string> {
  const res = await h.api('POST', '/v1/lead-transfers', { name, segmentId, connection: 'hubspot', every, include: ['interests', 'tags', 'score'] });
  expect(res.status).toBe(201);
  expect(res.body.status).toBe('draft');
  return res.body.id;
}

const runsOf = async (id: string) => (await h.api('GET', `/v1/lead-transfers/${id}/runs`)).body.items as Run[];

/** Runs the transfer now and waits for that run to finish. */
async function runNow(id: string): Promise<Run> {
  const before = new Set((await runsOf(id)).map((r) => r.runId));
  expect((await h.api('POST', `/v1/lead-transfers/${id}/run`)).status).toBe(202);
  return eventually(async () => (await runsOf(id)).find((r) => !before.has(r.runId) && r.status !== 'running'), { what: 'the run to finish', timeoutMs: 45000 });
}

async function leadsOf(id: string, runId: string, key?: string): Promise<Lead[]> {
  const res = await h.api('GET', `/v1/lead-transfers/${id}/runs/${runId}`, undefined, key);
  expect(res.status).toBe(200);
  return res.body.leads;
}

describe('a recurring transfer of a segment to the CRM', () => {
  const emails = ['ada@northwind.example', 'ben@northwind.example', 'cy@contoso.example'];
  let transfer: string;
  let people: Record<string, string>;
  let first: Run;

  beforeAll(async () => {
    const visitors = await campaignVisitors('spring-webinar', emails);
    people = visitors.people;
    transfer = await createTransfer(visitors.segmentId);
  });

  test("a run hands each of the segment's leads to the CRM once, and its drill-down lists every lead as transferred", async () => {
    first = await runNow(transfer);
    expect(first).toMatchObject({ status: 'completed', transferred: 3, skipped: 0, failed: 0, pending: 0 });
    for (const email of emails) expect(crm.state.contacts.get(email)?.properties).toMatchObject({ email, b2b_score: '20' });
    expect(crm.state.contacts.size).toBe(3);
    const leads = await leadsOf(transfer, first.runId);
    expect(leads.map((l) => [l.email, l.outcome]).sort()).toEqual(emails.map((e) => [e, 'transferred']).sort());
  });

  test('the next run, after one lead booked a meeting, transfers only that lead and counts the others as skipped', async () => {
    const ada = people['ada@northwind.example'];
    await h.api('POST', '/v1/events', { events: [event({ type: 'meeting_booked', occurredAt: yesterday(), person: { email: 'ada@northwind.example' } })] });
    await eventually(async () => ((await h.api('GET', `/v1/people/${ada}/score`)).body.total === 60 ? true : undefined), { what: 'Ada to score 60' });

    const second = await runNow(transfer);
    expect(second).toMatchObject({ status: 'completed', transferred: 1, skipped: 2, failed: 0 });
    expect((await leadsOf(transfer, second.runId)).map((l) => [l.personId, l.outcome])).toEqual([[ada, 'transferred']]);
    expect(crm.state.contacts.get('ada@northwind.example')?.properties.b2b_score).toBe('60');
    expect(crm.state.contacts.size).toBe(3);
  });

  test('an operator follows the runs and their leads with email addresses masked; reading them is audited', async () => {
    const operator = (await h.api('POST', '/v1/api-keys', { role: 'operator', name: 'support desk' })).body.key;
    const leads = await leadsOf(transfer, first.runId, operator);
    expect(leads.map((l) => l.email).sort()).toEqual(['a***@northwind.example', 'b***@northwind.example', 'c***@contoso.example']);
    expect((await h.api('POST', `/v1/lead-transfers/${transfer}/run`, undefined, operator)).status).toBe(403);
    const audit = (await h.api('GET', '/v1/audit-log')).body.items as { role: string; resource: string }[];
    expect(audit).toContainEqual(expect.objectContaining({ role: 'operator', resource: `lead-transfer-run:${first.runId}` }));
  });

  test('a stopped transfer keeps its history, and runs no more', async () => {
    expect((await h.api('POST', `/v1/lead-transfers/${transfer}/stop`)).body.status).toBe('stopped');
    const runs = await runsOf(transfer);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ runId: first.runId, transferred: 3 });
    expect(await leadsOf(transfer, first.runId)).toHaveLength(3);
    const again = await h.api('POST', `/v1/lead-transfers/${transfer}/run`);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/stopped/);
    await expect(h.client.schedule.getHandle(leadTransferScheduleId(transfer)).describe()).rejects.toThrow();
  });
});

test("a lead the CRM refuses shows failed with the CRM's reason, and the others are transferred", async () => {
  const { segmentId, people } = await campaignVisitors('trade-show', ['dee@fabrikam.example', 'eli@fabrikam.example']);
  crm.reject(['eli@fabrikam.example'], 'Email address eli@fabrikam.example is invalid');
  const transfer = await createTransfer(segmentId);
  const run = await runNow(transfer);
  expect(run).toMatchObject({ status: 'completed', transferred: 1, failed: 1, skipped: 0 });
  const leads = await leadsOf(transfer, run.runId);
  expect(leads.find((l) => l.personId === people['eli@fabrikam.example'])).toMatchObject({ outcome: 'failed', error: expect.stringContaining('is invalid') });
  expect(leads.find((l) => l.personId === people['dee@fabrikam.example'])).toMatchObject({ outcome: 'transferred' });
  // Not transferred, so not forgotten: the next run tries the refused lead again, and only it.
  expect(await runNow(transfer)).toMatchObject({ transferred: 0, failed: 1, skipped: 1 });
});

test('a transfer sends only what it includes: without scores, sales get the lead and its status but no score', async () => {
  const { segmentId } = await campaignVisitors('partner-day', ['ivy@proseware.example']);
  const created = await h.api('POST', '/v1/lead-transfers', { name: 'Without scores', segmentId, connection: 'hubspot', every: 'PT1H', include: ['interests'] });
  expect(await runNow(created.body.id)).toMatchObject({ transferred: 1 });
  const contact = crm.state.contacts.get('ivy@proseware.example')!.properties;
  expect(contact.b2b_status).toBeDefined();
  expect(contact).not.toHaveProperty('b2b_score');
  expect(contact).not.toHaveProperty('b2b_summary');
});

test('"run now" while a run still waits for the CRM is refused rather than sending the leads twice', async () => {
  const { segmentId } = await campaignVisitors('field-event', ['joy@wingtip.example']);
  const transfer = await createTransfer(segmentId);
  crm.holdNext(1);
  expect((await h.api('POST', `/v1/lead-transfers/${transfer}/run`)).status).toBe(202);
  await eventually(async () => (crm.heldCount() ? true : undefined), { what: 'the CRM to hold the upsert' });
  const second = await h.api('POST', `/v1/lead-transfers/${transfer}/run`);
  expect(second.status).toBe(409);
  expect(second.body.error.message).toMatch(/in progress/);
  crm.release();
  const [run] = await eventually(async () => {
    const runs = await runsOf(transfer);
    return runs.every((r) => r.status === 'completed') ? runs : undefined;
  });
  expect(run).toMatchObject({ transferred: 1 });
  expect(await runsOf(transfer)).toHaveLength(1);
});

test('an active transfer runs on its schedule; paused, it does not, and "run now" still runs it', async () => {
  const { segmentId } = await campaignVisitors('pricing-page', ['fay@litware.example']);
  const transfer = await createTransfer(segmentId, 'PT1S', 'Every second');
  expect((await h.api('POST', `/v1/lead-transfers/${transfer}/activate`)).body.status).toBe('active');
  await eventually(async () => ((await runsOf(transfer)).some((r) => r.status === 'completed') ? true : undefined), { what: 'a scheduled run', timeoutMs: 30000 });

  expect((await h.api('POST', `/v1/lead-transfers/${transfer}/pause`)).body.status).toBe('paused');
  // A run the Schedule started just before the pause still finishes: count once nothing is running.
  const schedule = h.client.schedule.getHandle(leadTransferScheduleId(transfer));
  const settled = await eventually(async () => {
    if ((await schedule.describe()).info.runningActions.length) return undefined;
    const runs = await runsOf(transfer);
    return runs.every((r) => r.status !== 'running') ? runs.length : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 4000));
  expect(await runsOf(transfer)).toHaveLength(settled);
  expect((await schedule.describe()).state.paused).toBe(true);

  expect(await runNow(transfer)).toMatchObject({ status: 'completed', transferred: 0, skipped: 1 });
  expect(await runsOf(transfer)).toHaveLength(settled + 1);
});

test('only draft and paused transfers can be edited; an active one is paused first, a stopped one never', async () => {
  const { segmentId } = await campaignVisitors('newsletter', ['gil@adatum.example']);
  const transfer = await createTransfer(segmentId);
  const edit = (every: string) => h.api('PUT', `/v1/lead-transfers/${transfer}`, { name: 'Weekly hand-over', segmentId, connection: 'hubspot', every });

  expect((await edit('P1D')).body).toMatchObject({ status: 'draft', every: 'P1D', name: 'Weekly hand-over' });
  await h.api('POST', `/v1/lead-transfers/${transfer}/activate`);
  const refused = await edit('P7D');
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toMatch(/is active.*pause it first/);
  await h.api('POST', `/v1/lead-transfers/${transfer}/pause`);
  expect((await edit('P7D')).body).toMatchObject({ status: 'paused', every: 'P7D' });
  expect((await h.client.schedule.getHandle(leadTransferScheduleId(transfer)).describe()).spec.intervals?.[0]?.every).toBe(7 * 86_400_000);
  await h.api('POST', `/v1/lead-transfers/${transfer}/stop`);
  expect((await edit('P1D')).status).toBe(409);
  const back = await h.api('POST', `/v1/lead-transfers/${transfer}/activate`);
  expect(back.status).toBe(409);
  expect(back.body.error.message).toMatch(/is stopped/);
  expect((await h.api('GET', `/v1/lead-transfers/${transfer}`)).body).toMatchObject({ status: 'stopped', every: 'P7D' });
});

test('a transfer names a segment and a connection that exist, and a rhythm it can keep', async () => {
  const { segmentId } = await campaignVisitors('roadshow', ['hal@tailspin.example']);
  const body = { name: 'Hand-over', segmentId, connection: 'hubspot', every: 'PT1H' };
  const bad = async (change: Record<string, unknown>) => (await h.api('POST', '/v1/lead-transfers', { ...body, ...change })).body.error;
  expect(await bad({ every: 'hourly' })).toMatchObject({ code: 'validation_error', details: [{ path: 'every', message: expect.stringMatching(/ISO 8601/) }] });
  expect(await bad({ every: 'PT0S' })).toMatchObject({ details: [{ path: 'every', message: 'must be at least 1 seconds' }] });
  expect(await bad({ include: ['score', 'phone'] })).toMatchObject({ details: [{ path: 'include.1' }] });
  expect(await bad({ name: undefined })).toMatchObject({ details: [{ path: 'name' }] });
  expect(await bad({ segmentId: 'seg_nothing' })).toMatchObject({ code: 'not_found', message: expect.stringMatching(/segment 'seg_nothing'/) });
  expect(await bad({ connection: 'salesforce' })).toMatchObject({ code: 'not_found', message: expect.stringMatching(/crm connection 'salesforce'/) });
  expect((await h.api('GET', '/v1/lead-transfers')).body.items.length).toBeGreaterThan(0);
});
