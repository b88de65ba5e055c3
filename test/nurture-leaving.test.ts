import { event } from './support/events';
import { startFakeHubSpot, type FakeHubSpot } from './support/fake-hubspot';
import { eventually, Harness, startHarness } from './support/harness';
import { mailDev, type CaughtEmail } from './support/maildev';

let h: Harness;
let crm: FakeHubSpot;
const inbox = mailDev();
const PAGE = 'https://northwind.example/erp';

beforeAll(async () => {
  h = await startHarness();
  crm = await startFakeHubSpot();
  await inbox.deleteAll();
  await h.api('PUT', '/v1/subscription-topics/erp', { name: 'Cloud ERP' });
  for (const id of ['L1', 'L2', 'L3']) {
    const template = { name: id, kind: 'marketing', topic: 'erp', subject: `${id} for {{ person.firstName }}`, html: `<p>${id}: <a href="${PAGE}">see the ERP</a></p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>` };
    expect((await h.api('PUT', `/v1/email-templates/leave-${id.toLowerCase()}`, template)).status).toBeLessThan(300);
  }
  // A visit is worth 20 points; nobody qualifies (100), so leaving is the exit rule's, the link's or the transfer's doing.
  expect((await h.api('PUT', '/v1/scoring-model', { fit: [], behavior: [{ id: 'visit', event: 'web_visit', within: 'P30D', points: 20 }], qualifyAt: 100 })).status).toBe(200);
  const connection = await h.api('PUT', '/v1/crm-connections/hubspot', { kind: 'hubspot', baseUrl: crm.url, accessToken: crm.token, sync: { qualifiedLeads: false, buyingGroups: false } });
  expect(connection.status).toBe(201);
});
afterAll(async () => {
  await h?.close();
  await crm?.close();
});

const campaigns = (...ids: string[]) => [{ name: 'Intro', campaigns: ids.map((id) => ({ id, template: `leave-${id.toLowerCase()}` })) }];

/** An active stream; an hour between casts unless said, so what happens within seconds is not the next cast's doing. */
async function activeStream(body: Record<string, unknown>): Promise<string> {
  const created = await h.api('POST', '/v1/nurture-streams', { cadence: { every: 'PT1H' }, stages: campaigns('L1', 'L2', 'L3'), ...body });
  expect(created.status).toBe(201);
  expect((await h.api('POST', `/v1/nurture-streams/${created.body.id}/activate`)).body.status).toBe('active');
  return created.body.id;
}
async function person(email: string, firstName: string): Promise<string> {
  return (await h.api('PUT', `/v1/people/${email}`, { firstName })).body.personId;
}
const mailsTo = async (address: string) => (await inbox.list()).filter((m) => m.to.some((t) => t.address === address));
const firstMailTo = (address: string) => eventually(async () => (await mailsTo(address))[0], { what: `an email to ${address}`, timeoutMs: 30_000 });
const enrolmentOf = async (streamId: string, personId: string) => ((await h.api('GET', `/v1/nurture-streams/${streamId}/enrollments`)).body.items as { personId: string; [k: string]: unknown }[]).find((e) => e.personId === personId);
const leftWithin = (streamId: string, personId: string, seconds: number) =>
  eventually(async () => {
    const e = await enrolmentOf(streamId, personId);
    return e?.status === 'exited' ? e : undefined;
  }, { what: `${personId} to leave ${streamId}`, timeoutMs: seconds * 1000 });
async function enrolAndMail(streamId: string, personId: string, address: string): Promise<CaughtEmail> {
  expect((await h.api('POST', `/v1/nurture-streams/${streamId}/enroll`, { personIds: [personId] })).body.enrolled).toEqual([personId]);
  const caught = await firstMailTo(address);
  return inbox.read(caught.id);
}
/** A link of the email as the API serves it here (PUBLIC_URL names the production host). */
const local = (url: string) => `${h.baseUrl}${new URL(url).pathname}`;

test("a person whose visit meets the stream's exit rule leaves within seconds of the event, with the reason, and gets nothing more", async () => {
  const ivy = await person('ivy@leaving.example', 'Ivy');
  const stream = await activeStream({ name: 'Until engaged', exitWhen: { field: 'person.score', op: 'gte', value: 20 } });
  await enrolAndMail(stream, ivy, 'ivy@leaving.example');

  expect((await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', person: { email: 'ivy@leaving.example' } })] })).status).toBe(202);
  expect(await leftWithin(stream, ivy, 20)).toMatchObject({ exitReason: 'exit rule met', nextCastAt: null, nextCampaign: null });
  expect((await mailsTo('ivy@leaving.example')).map((m) => m.subject)).toEqual(['L1 for Ivy']);
}, 90_000);

test("a person who unsubscribes with the one-click link of a stream's email leaves that stream within seconds", async () => {
  const uma = await person('uma@leaving.example', 'Uma');
  const stream = await activeStream({ name: 'ERP news' });
  const email = await enrolAndMail(stream, uma, 'uma@leaving.example');

  const link = /<([^>]+)>/.exec(String(email.headers['list-unsubscribe']))![1];
  const res = await fetch(local(link), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  expect(res.status).toBe(200);
  expect(await leftWithin(stream, uma, 20)).toMatchObject({ exitReason: 'unsubscribed from erp' });
}, 90_000);

test('a person a lead transfer hands to sales leaves the stream within seconds of the CRM taking them', async () => {
  const theo = await person('theo@leaving.example', 'Theo');
  const stream = await activeStream({ name: 'Pre-sales nurture' });
  await enrolAndMail(stream, theo, 'theo@leaving.example');

  const segment = await h.api('POST', '/v1/segments', { name: 'Fair visitors', level: 'person', definition: { performed: 'web_visit', where: { field: 'event.properties.campaign', op: 'eq', value: 'fair' }, within: 'P30D' } });
  expect(segment.status).toBe(201);
  await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', person: { email: 'theo@leaving.example' }, properties: { campaign: 'fair' } })] });
  await eventually(async () => ((await h.api('GET', `/v1/segments/${segment.body.id}/members`)).body.items.length === 1 ? true : undefined), { what: 'Theo in the segment', timeoutMs: 30_000 });
  const transfer = await h.api('POST', '/v1/lead-transfers', { name: 'Fair leads to sales', segmentId: segment.body.id, connection: 'hubspot', every: 'PT1H', include: ['score'] });
  expect((await h.api('POST', `/v1/lead-transfers/${transfer.body.id}/run`)).status).toBe(202);

  await eventually(async () => (crm.state.contacts.has('theo@leaving.example') ? true : undefined), { what: 'Theo in the CRM', timeoutMs: 30_000 });
  expect(await leftWithin(stream, theo, 20)).toMatchObject({ exitReason: 'transferred to sales' });
  expect((await mailsTo('theo@leaving.example')).map((m) => m.subject)).toEqual(['L1 for Theo']);
}, 90_000);

test("the stream's stats count each campaign's sent, suppressed and clicked emails, and each person's profile lists the stream", async () => {
  const sam = await person('sam@leaving.example', 'Sam');
  const sue = await person('sue@leaving.example', 'Sue');
  // Sue's address bounced hard on an earlier email: every later email to her is suppressed.
  const warmUp = await activeStream({ name: 'Warm-up', stages: campaigns('L3') });
  await enrolAndMail(warmUp, sue, 'sue@leaving.example');
  const sueMessage = (await h.api('GET', `/v1/outbound-messages?personId=${sue}`)).body.items[0].id;
  expect((await h.api('POST', '/v1/email-feedback', { messageId: sueMessage, type: 'hard_bounce' })).status).toBe(200);

  const stream = await activeStream({ name: 'Two-step ERP', cadence: { every: 'PT1S' }, stages: campaigns('L1', 'L2') });
  await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: [sam, sue] });
  const first = await inbox.read((await firstMailTo('sam@leaving.example')).id);
  const tracked = /href="([^"]*\/t\/c\/[^"]+)"/.exec(first.html!)![1];
  expect((await fetch(local(tracked), { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605.1.15' } })).headers.get('location')).toBe(PAGE);

  const stats = await eventually(async () => {
    const s = (await h.api('GET', `/v1/nurture-streams/${stream}/stats`)).body;
    return s.totals.sent === 2 && s.totals.suppressed === 2 && s.totals.clicked === 1 ? s : undefined;
  }, { what: 'both campaigns settled for both people, and the click', timeoutMs: 40_000 });
  expect(stats.stages).toEqual([
    {
      stage: 1,
      name: 'Intro',
      campaigns: [
        { id: 'L1', cast: 2, waiting: 0, sent: 1, suppressed: 1, deferred: 0, failed: 0, clicked: 1 },
        { id: 'L2', cast: 2, waiting: 0, sent: 1, suppressed: 1, deferred: 0, failed: 0, clicked: 0 },
      ],
      totals: { cast: 4, waiting: 0, sent: 2, suppressed: 2, deferred: 0, failed: 0, clicked: 1 },
    },
  ]);

  const profile = (await h.api('GET', `/v1/people/${sue}`)).body;
  expect(profile.nurtureStreams.map((s: { name: string }) => s.name).sort()).toEqual(['Two-step ERP', 'Warm-up']);
  expect(profile.nurtureStreams.find((s: { streamId: string }) => s.streamId === stream)).toMatchObject({ name: 'Two-step ERP', stage: 1, stageName: 'Intro', lastCampaign: 'L2' });
  expect((await h.api('GET', '/v1/nurture-streams/ns_unknown/stats')).status).toBe(404);
}, 90_000);
