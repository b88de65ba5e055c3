import { applyToEntity } from '../activities/entity-scoring';
import { hashedEmail } from '../domain/audience/hash';
import { Audience } from '../models/audience';
import { OutboundMessage } from '../models/outbound-message';
import { Person } from '../models/person';
import { SegmentChange } from '../models/segment-membership';
import { startFakeLinkedIn, type FakeLinkedIn } from './support/fake-linkedin';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';
import { journeyApi } from './support/journeys';

let h: Harness;
let linkedin: FakeLinkedIn;
const journeys = journeyApi(() => h);
const segments: Record<'pricing' | 'webinar' | 'nobody' | 'accounts', string> = {} as never;

async function saveSegment(name: string, level: 'person' | 'account', definition: unknown): Promise<string> {
  const res = await h.api('POST', '/v1/segments', { name, level, definition });
  expect(res.status).toBe(201);
  return res.body.id;
}
/** An audience on the fake LinkedIn's DMP segment `dmpSegment`. */
const audience = (name: string, segmentId: string, dmpSegment: string, extra: Record<string, unknown> = {}) => ({
  name,
  segmentId,
  destination: { kind: 'linkedin', baseUrl: linkedin.url, accessToken: linkedin.token, segmentUrn: `urn:li:dmpSegment:${dmpSegment}`, ...extra },
});
const holds = (dmpSegment: string, email: string) => linkedin.members(dmpSegment).includes(hashedEmail(email));
/** How many times LinkedIn was asked to add the email to the DMP segment. */
const additions = (dmpSegment: string, email: string) =>
  linkedin.requests
    .filter((r) => r.path.startsWith(`/rest/dmpSegments/${dmpSegment}/`))
    .flatMap((r) => r.body.elements as { action: string; userIds: { idValue: string }[] }[])
    .filter((e) => e.action === 'ADD' && e.userIds[0].idValue === hashedEmail(email)).length;

beforeAll(async () => {
  linkedin = await startFakeLinkedIn();
  h = await startHarness();
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme', domain: 'acme.example' });
  await h.api('PUT', '/v1/accounts/initech', { name: 'Initech', domain: 'initech.example' });
  segments.pricing = await saveSegment('Visited pricing in the last 8 seconds', 'person', { performed: 'web_visit', where: { field: 'event.properties.url', op: 'eq', value: '/pricing' }, within: 'PT8S' });
  segments.webinar = await saveSegment('Webinar attendees', 'person', { performed: 'webinar_attend', within: 'P30D' });
  segments.nobody = await saveSegment('Nobody', 'person', { field: 'person.jobTitle', op: 'eq', value: 'no such title' });
  segments.accounts = await saveSegment('Software accounts', 'account', { field: 'account.industry', op: 'eq', value: 'software' });
  expect((await h.api('PUT', '/v1/audiences/pricing-retargeting', audience('Pricing retargeting', segments.pricing, '123'))).status).toBe(201);
  expect((await h.api('PUT', '/v1/audiences/webinar-followup', audience('Webinar follow-up', segments.webinar, '456'))).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await h?.close();
  await linkedin?.close();
});

describe('an ad audience follows its segment', () => {
  test('a lead who visits the pricing page is added to the LinkedIn audience by hashed email only, and removed when she leaves the segment', async () => {
    await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', occurredAt: new Date().toISOString(), person: { email: 'Ann@Acme.example' }, properties: { url: '/pricing' } })] });

    await eventually(async () => holds('123', 'ann@acme.example') || undefined, { what: 'ann to be added on LinkedIn' });
    const wire = linkedin.requests.map((r) => r.raw).join('\n');
    expect(wire).not.toMatch(/ann|acme|@/i);
    const added = await eventually(async () => {
      const a = (await h.api('GET', '/v1/audiences/pricing-retargeting')).body;
      return a.size === 1 && a.pending === 0 ? a : undefined;
    }, { what: 'the audience to count ann' });
    expect(added.lastSyncAt).toEqual(expect.any(String));

    // Her visit ages out of the segment's 8-second window with no new event.
    await eventually(async () => (!holds('123', 'ann@acme.example') ? true : undefined), { what: 'ann to be removed on LinkedIn', timeoutMs: 40_000 });
    await eventually(async () => ((await h.api('GET', '/v1/audiences/pricing-retargeting')).body.size === 0 ? true : undefined), { what: 'the audience to be empty' });
  });

  test('a replayed event batch, or an apply retried after a partial write, adds nobody twice', async () => {
    const batch = { events: [event({ type: 'webinar_attend', occurredAt: new Date().toISOString(), person: { email: 'bob@acme.example' } })] };
    await h.api('POST', '/v1/events', batch);
    await eventually(async () => holds('456', 'bob@acme.example') || undefined, { what: 'bob to be added on LinkedIn' });
    expect((await h.api('POST', '/v1/events', batch)).body).toMatchObject({ accepted: 0, duplicates: 1 });

    // The account's batch retried after its entries were recorded but before bob's memberships were written.
    const bob = (await Person.findOne({ email: 'bob@acme.example' }).lean())!;
    const entry = (await SegmentChange.findOne({ segmentId: segments.webinar, memberId: bob._id }).lean())!;
    const batchId = entry._id.slice(`${segments.webinar}:${bob._id}:`.length);
    await Person.updateOne({ _id: bob._id }, { $pull: { segments: segments.webinar } });
    await applyToEntity({ kind: 'account', accountKey: 'acme' }, batchId, []);

    expect((await Person.findOne({ _id: bob._id }).lean())!.segments).toContain(segments.webinar);
    expect(await OutboundMessage.countDocuments({ channel: 'audience', personId: bob._id, 'payload.destination': 'webinar-followup' })).toBe(1);
    expect(additions('456', 'bob@acme.example')).toBe(1);
  });

  test('the export holds the hashed emails LinkedIn confirmed, and is audited', async () => {
    await eventually(async () => ((await h.api('GET', '/v1/audiences/webinar-followup')).body.size === 1 ? true : undefined), { what: 'bob confirmed' });
    const csv = await h.api('GET', '/v1/audiences/webinar-followup/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.body).toBe(`sha256_email\n${hashedEmail('bob@acme.example')}\n`);
    const log = (await h.api('GET', '/v1/audit-log?limit=500')).body.items as { action: string; resource: string }[];
    expect(log).toContainEqual(expect.objectContaining({ action: 'export', resource: 'audience:webinar-followup' }));
  });

  test("an audience made for a segment that already has members sends them at once", async () => {
    await eventually(async () => ((await h.api('GET', `/v1/segments/${segments.webinar}/members`)).body.items.length === 1 ? true : undefined), { what: 'bob a member' });
    expect((await h.api('PUT', '/v1/audiences/webinar-lookalike', audience('Webinar lookalike', segments.webinar, '555'))).status).toBe(201);
    await eventually(async () => (holds('555', 'bob@acme.example') ? true : undefined), { what: 'the members sent to the new audience' });
    expect(linkedin.members('555')).toEqual([hashedEmail('bob@acme.example')]);
  });
});

describe('setting up an audience', () => {
  test('the LinkedIn access token is stored encrypted and never shown; a change that leaves it out keeps it', async () => {
    const shown = JSON.stringify([
      (await h.api('PUT', '/v1/audiences/webinar-followup', { ...audience('Webinar follow-up (renamed)', segments.webinar, '456'), destination: { kind: 'linkedin', baseUrl: linkedin.url, segmentUrn: 'urn:li:dmpSegment:456' } })).body,
      (await h.api('GET', '/v1/audiences/webinar-followup')).body,
      (await h.api('GET', '/v1/audiences')).body,
    ]);
    expect(shown).not.toContain(linkedin.token);
    expect(shown).not.toContain('"accessToken"');
    expect((await h.api('GET', '/v1/audiences/webinar-followup')).body).toMatchObject({ name: 'Webinar follow-up (renamed)', destination: { kind: 'linkedin', hasAccessToken: true, segmentUrn: 'urn:li:dmpSegment:456' } });
    expect(JSON.stringify(await Audience.find({}).lean())).not.toContain(linkedin.token);
  });

  test('a wrong audience is refused naming the field: a LinkedIn segment that is no URN, an account segment, no token for a new one', async () => {
    const refused = async (body: unknown, key = 'refused') => {
      const res = await h.api('PUT', `/v1/audiences/${key}`, body);
      expect(res.status).toBe(400);
      return res.body.error.details.map((d: { path: string }) => d.path);
    };
    expect(await refused(audience('Bad URN', segments.nobody, '1', { segmentUrn: 'dmp-1' }))).toEqual(['destination.segmentUrn']);
    expect(await refused(audience('Accounts', segments.accounts, '1'))).toEqual(['segmentId']);
    expect(await refused({ ...audience('No token', segments.nobody, '1'), destination: { kind: 'linkedin', segmentUrn: 'urn:li:dmpSegment:1' } })).toEqual(['destination.accessToken']);
    expect((await h.api('GET', '/v1/audiences/refused')).status).toBe(404);
  });

  test('marketers manage audiences; sales keys may not look at them', async () => {
    const marketer = (await h.api('POST', '/v1/api-keys', { role: 'marketer', name: 'marketer' })).body.key;
    const sales = (await h.api('POST', '/v1/api-keys', { role: 'sales', name: 'rep', ownerId: 'rep-1' })).body.key;
    expect((await h.api('PUT', '/v1/audiences/marketers-own', audience('Nobody yet', segments.nobody, '777'), marketer)).status).toBe(201);
    expect((await h.api('GET', '/v1/audiences/marketers-own', undefined, sales)).status).toBe(403);
    expect((await h.api('DELETE', '/v1/audiences/marketers-own', undefined, marketer)).status).toBe(204);
    expect((await h.api('GET', '/v1/audiences/marketers-own')).status).toBe(404);
  });
});

describe('journeys', () => {
  test("a journey's addToLinkedInAudience adds the account's people to the audience", async () => {
    await h.api('PUT', '/v1/people/fay@initech.example', { accountKey: 'initech' });
    await h.api('PUT', '/v1/people/gus@initech.example', { accountKey: 'initech' });
    expect((await h.api('PUT', '/v1/audiences/initech-buyers', audience('Initech buyers', segments.nobody, '789'))).status).toBe(201);
    const journey = await journeys.publish({
      name: 'Retarget Initech on LinkedIn',
      start: 'retarget',
      nodes: { retarget: { type: 'action', action: 'addToLinkedInAudience', params: { audience: 'initech-buyers' }, next: 'done' }, done: { type: 'exit' } },
    });
    await journeys.launch(journey, ['initech']);

    await eventually(async () => (linkedin.members('789').length === 2 ? true : undefined), { what: "initech's people on LinkedIn" });
    expect(linkedin.members('789')).toEqual([hashedEmail('fay@initech.example'), hashedEmail('gus@initech.example')].sort());
  });

  test('a journey naming something that is no audience key is refused naming the parameter', async () => {
    const res = await h.api('POST', '/v1/journeys', {
      name: 'Bad audience',
      entry: { manual: true },
      start: 'retarget',
      nodes: { retarget: { type: 'action', action: 'addToLinkedInAudience', params: { audience: 'no spaces please' }, next: 'done' }, done: { type: 'exit' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['nodes.retarget.params.audience']);
  });
});
