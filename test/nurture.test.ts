import { eventually, Harness, startHarness } from './support/harness';
import { mailDev } from './support/maildev';

let h: Harness;
const inbox = mailDev();
const CAMPAIGNS = ['S1C1', 'S1C2', 'S2C1', 'S2C2', 'S3C1', 'S3C2', 'S1C3', 'S4C1'];

beforeAll(async () => {
  h = await startHarness();
  await inbox.deleteAll();
  await h.api('PUT', '/v1/subscription-topics/erp', { name: 'Cloud ERP' });
  // One template per campaign: its subject says which campaign a caught email is.
  for (const id of CAMPAIGNS) {
    const res = await h.api('PUT', `/v1/email-templates/nurture-${id.toLowerCase()}`, { name: id, kind: 'marketing', topic: 'erp', subject: `${id} for {{ person.firstName }}`, html: `<p>${id}</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>` });
    expect(res.status).toBeLessThan(300);
  }
});
afterAll(() => h?.close());

const campaign = (id: string) => ({ id, template: `nurture-${id.toLowerCase()}` });
const stages = (...ids: string[][]) => ids.map((s, i) => ({ name: `Stage ${i + 1}`, campaigns: s.map(campaign) }));
const threeByTwo = stages(['S1C1', 'S1C2'], ['S2C1', 'S2C2'], ['S3C1', 'S3C2']);

async function activeStream(body: Record<string, unknown>): Promise<string> {
  const created = await h.api('POST', '/v1/nurture-streams', { cadence: { every: 'PT1S' }, ...body });
  expect(created).toMatchObject({ status: 201, body: { status: 'draft' } });
  expect((await h.api('POST', `/v1/nurture-streams/${created.body.id}/activate`)).body.status).toBe('active');
  return created.body.id;
}
async function person(email: string, firstName: string): Promise<string> {
  await h.api('PUT', `/v1/people/${email}`, { firstName });
  return (await h.api('POST', '/v1/identify', { person: { email } })).body.personId;
}
const subjectsTo = async (address: string) => (await inbox.list()).filter((m) => m.to.some((t) => t.address === address)).map((m) => m.subject.split(' ')[0]);
const enrolmentOf = async (streamId: string, personId: string) => ((await h.api('GET', `/v1/nurture-streams/${streamId}/enrollments`)).body.items as { personId: string; [k: string]: unknown }[]).find((e) => e.personId === personId);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function mailsReach(address: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  return eventually(async () => {
    const subjects = await subjectsTo(address);
    return subjects.length >= count ? subjects : undefined;
  }, { what: `${count} emails to ${address}`, timeoutMs });
}

test('three stages of two campaigns each, cast every second: the six emails arrive in order, each once, and the person is then exhausted', async () => {
  const eve = await person('eve@nurture.example', 'Eve');
  const stream = await activeStream({ name: 'Cloud ERP nurture', stages: threeByTwo });
  expect((await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: [eve] })).body).toEqual({ enrolled: [eve], alreadyEnrolled: [], unknown: [] });

  await mailsReach('eve@nurture.example', 6);
  const exhausted = await eventually(async () => {
    const e = await enrolmentOf(stream, eve);
    return e?.status === 'exhausted' ? e : undefined;
  }, { what: 'Eve exhausted' });
  expect(exhausted).toMatchObject({ stage: 3, stageName: 'Stage 3', lastCampaign: 'S3C2', nextCampaign: null, nextCastAt: null, casts: 6 });
  await pause(3000);
  expect(await subjectsTo('eve@nurture.example')).toEqual(['S1C1', 'S1C2', 'S2C1', 'S2C2', 'S3C1', 'S3C2']);
  // A person is on a stream at most once.
  expect((await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: [eve] })).body).toMatchObject({ enrolled: [], alreadyEnrolled: [eve] });
}, 120_000);

test('a person who books a meeting and becomes qualified leaves the stream within seconds, with the reason, and gets nothing more', async () => {
  expect((await h.api('PUT', '/v1/scoring-model', { fit: [], behavior: [{ id: 'meeting', event: 'meeting_booked', within: 'P30D', points: 80 }], qualifyAt: 50 })).status).toBe(200);
  const quinn = await person('quinn@nurture.example', 'Quinn');
  // A minute between casts: leaving within seconds is the event's doing, not the next cast's.
  const stream = await activeStream({ name: 'Slow ERP nurture', stages: threeByTwo, cadence: { every: 'PT1M' } });
  await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: [quinn] });
  await mailsReach('quinn@nurture.example', 1);

  const booked = await h.api('POST', '/v1/events', { events: [{ eventId: 'quinn-meeting', type: 'meeting_booked', occurredAt: new Date().toISOString(), person: { email: 'quinn@nurture.example' } }] });
  expect(booked.status).toBe(202);
  const left = await eventually(async () => {
    const e = await enrolmentOf(stream, quinn);
    return e?.status === 'exited' ? e : undefined;
  }, { what: 'Quinn left the stream', timeoutMs: 20_000 });
  expect(left).toMatchObject({ exitReason: 'qualified', nextCastAt: null, nextCampaign: null });
  await pause(3000);
  expect(await subjectsTo('quinn@nurture.example')).toEqual(['S1C1']);
}, 120_000);

test('three colleagues whose meetings arrive in one batch become qualified together, and all three leave the stream within seconds', async () => {
  expect((await h.api('PUT', '/v1/scoring-model', { fit: [], behavior: [{ id: 'meeting', event: 'meeting_booked', within: 'P30D', points: 80 }], qualifyAt: 50 })).status).toBe(200);
  expect((await h.api('PUT', '/v1/accounts/trio', { name: 'Trio' })).status).toBeLessThan(300);
  const emails = ['ada', 'bo', 'cy'].map((n) => `${n}@trio.example`);
  const ids: string[] = [];
  for (const email of emails) {
    await h.api('PUT', `/v1/people/${email}`, { firstName: email.split('@')[0], accountKey: 'trio' });
    ids.push((await h.api('POST', '/v1/identify', { person: { email } })).body.personId);
  }
  const stream = await activeStream({ name: 'Trio ERP nurture', stages: threeByTwo, cadence: { every: 'PT1M' } });
  await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: ids });
  for (const email of emails) await mailsReach(email, 1);

  const now = new Date().toISOString();
  const booked = await h.api('POST', '/v1/events', { events: emails.map((email) => ({ eventId: `trio-meeting-${email}`, type: 'meeting_booked', occurredAt: now, person: { email }, accountKey: 'trio' })) });
  expect(booked.status).toBe(202);
  for (const id of ids) {
    const left = await eventually(async () => {
      const e = await enrolmentOf(stream, id);
      return e?.status === 'exited' ? e : undefined;
    }, { what: `${id} left the stream`, timeoutMs: 20_000 });
    expect(left).toMatchObject({ exitReason: 'qualified' });
  }
}, 120_000);

test('pausing the stream holds every cast; resuming continues each person from where they were', async () => {
  const pat = await person('pat@nurture.example', 'Pat');
  const stream = await activeStream({ name: 'Pausable nurture', stages: threeByTwo });
  await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: [pat] });
  await mailsReach('pat@nurture.example', 2);

  expect((await h.api('POST', `/v1/nurture-streams/${stream}/pause`)).body.status).toBe('paused');
  // A cast already recorded when the pause came still goes out; nothing after it.
  await pause(4000);
  const held = (await subjectsTo('pat@nurture.example')).length;
  expect(await enrolmentOf(stream, pat)).toMatchObject({ status: 'paused' });
  await pause(5000);
  expect(await subjectsTo('pat@nurture.example')).toHaveLength(held);
  expect(held).toBeLessThan(6);

  expect((await h.api('POST', `/v1/nurture-streams/${stream}/resume`)).body.status).toBe('active');
  await mailsReach('pat@nurture.example', 6);
  await pause(2000);
  expect(await subjectsTo('pat@nurture.example')).toEqual(['S1C1', 'S1C2', 'S2C1', 'S2C2', 'S3C1', 'S3C2']);
}, 120_000);

test('campaigns added to an active stream reach a person who had received everything, at the next cast', async () => {
  const ann = await person('ann@nurture.example', 'Ann');
  const definition = { name: 'Growing nurture', cadence: { every: 'PT1S' }, stages: stages(['S1C1', 'S1C2']) };
  const stream = await activeStream(definition);
  await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: [ann] });
  await eventually(async () => ((await enrolmentOf(stream, ann))?.status === 'exhausted' ? true : undefined), { what: 'Ann exhausted', timeoutMs: 30_000 });
  expect(await subjectsTo('ann@nurture.example')).toEqual(['S1C1', 'S1C2']);

  // Changing what people already had is refused, naming the campaign.
  const changed = await h.api('PUT', `/v1/nurture-streams/${stream}`, { ...definition, stages: stages(['S1C2', 'S1C1']) });
  expect(changed.status).toBe(409);
  expect(changed.body.error.details.map((d: { path: string }) => d.path)).toEqual(['stages.0.campaigns.0', 'stages.0.campaigns.1']);

  const grown = await h.api('PUT', `/v1/nurture-streams/${stream}`, { ...definition, stages: [...stages(['S1C1', 'S1C2', 'S1C3']), ...stages(['S4C1']).map((s) => ({ ...s, name: 'Decision' }))] });
  expect(grown.status).toBe(200);
  await mailsReach('ann@nurture.example', 4, 30_000);
  await pause(2000);
  expect(await subjectsTo('ann@nurture.example')).toEqual(['S1C1', 'S1C2', 'S1C3', 'S4C1']);
  // The enrolment is written after the send is settled: on a busy machine that can lag the mail itself.
  const exhausted = await eventually(async () => {
    const e = await enrolmentOf(stream, ann);
    return e?.status === 'exhausted' && e.lastCampaign === 'S4C1' ? e : undefined;
  }, { what: 'Ann exhausted again after S4C1', timeoutMs: 30_000 });
  expect(exhausted).toMatchObject({ stage: 2, stageName: 'Decision' });
}, 120_000);

test('the API names what is wrong: limits and paths, statuses in conflicts, roles', async () => {
  const tooMany = await h.api('POST', '/v1/nurture-streams', { name: 'Too big', cadence: { every: 'PT1S' }, stages: stages(...Array.from({ length: 8 }, (_, i) => [`x${i}`])) });
  expect(tooMany.status).toBe(400);
  expect(tooMany.body.error.details[0].path).toBe('stages');
  const badAction = await h.api('POST', '/v1/nurture-streams', { name: 'Bad', cadence: { every: 'PT1S' }, stages: [{ name: 'A', campaigns: [{ id: 'a', action: 'notifySales', params: {} }] }] });
  expect(badAction.body.error.details[0].path).toBe('stages.0.campaigns.0.params.message');

  const draft = (await h.api('POST', '/v1/nurture-streams', { name: 'Draft', cadence: { every: 'P7D' }, stages: threeByTwo })).body.id;
  const enrolDraft = await h.api('POST', `/v1/nurture-streams/${draft}/enroll`, { personIds: ['p_nobody'] });
  expect(enrolDraft).toMatchObject({ status: 409, body: { error: { code: 'conflict', message: expect.stringContaining('is draft') } } });
  expect((await h.api('POST', `/v1/nurture-streams/${draft}/pause`)).body.error.message).toContain('is draft');
  expect((await h.api('POST', `/v1/nurture-streams/${draft}/stop`)).body.status).toBe('stopped');
  expect((await h.api('POST', `/v1/nurture-streams/${draft}/activate`)).body.error.message).toBe('the nurture stream is stopped: activate is allowed only when it is draft');

  const operator = (await h.api('POST', '/v1/api-keys', { role: 'operator', name: 'ops' })).body.key;
  expect((await h.api('POST', '/v1/nurture-streams', { name: 'X', cadence: { every: 'P7D' }, stages: threeByTwo }, operator)).status).toBe(403);
  expect((await h.api('GET', `/v1/nurture-streams/${draft}`, undefined, operator)).body).toMatchObject({ id: draft, status: 'stopped' });
});
