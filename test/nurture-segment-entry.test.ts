import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/subscription-topics/erp', { name: 'Cloud ERP' });
  await h.api('PUT', '/v1/email-templates/segment-intro', { name: 'Intro', kind: 'marketing', topic: 'erp', subject: 'Intro', html: '<p>Intro</p>' });
});
afterAll(() => h?.close());

type Enrolment = { personId: string; status: string; exitReason?: string };
const enrolments = async (stream: string) => (await h.api('GET', `/v1/nurture-streams/${stream}/enrollments`)).body.items as Enrolment[];
const enrolmentOf = async (stream: string, personId: string) => (await enrolments(stream)).find((e) => e.personId === personId);
async function visit(email: string): Promise<string> {
  const personId = (await h.api('POST', '/v1/identify', { person: { email } })).body.personId;
  expect((await h.api('POST', '/v1/events', { events: [{ eventId: `${email}-visit`, type: 'web_visit', occurredAt: new Date().toISOString(), person: { email } }] })).status).toBe(202);
  return personId;
}
async function stream(name: string, entry: Record<string, unknown>): Promise<string> {
  const created = await h.api('POST', '/v1/nurture-streams', { name, entry, cadence: { every: 'P7D' }, stages: [{ name: 'Intro', campaigns: [{ id: 'intro', template: 'segment-intro' }] }] });
  expect(created.status).toBe(201);
  return created.body.id;
}

test("a stream entered by segment takes its members when activated and those who enter later; people who leave the segment stay, unless the stream lets them go ('left segment')", async () => {
  // Visitors of the last 25 seconds: membership ends by itself.
  const segment = (await h.api('POST', '/v1/segments', { name: 'Recent visitors', level: 'person', definition: { performed: 'web_visit', within: 'PT25S' } })).body.id;
  const ann = await visit('ann@segment-entry.example');
  await eventually(async () => ((await h.api('GET', `/v1/segments/${segment}/members`)).body.items.length === 1 ? true : undefined), { what: 'Ann a member' });

  const staying = await stream('Keeps people', { segmentId: segment });
  const leaving = await stream('Lets people go', { segmentId: segment, keepOnLeave: false });
  for (const s of [staying, leaving]) expect((await h.api('POST', `/v1/nurture-streams/${s}/activate`)).status).toBe(200);
  for (const s of [staying, leaving]) await eventually(async () => ((await enrolmentOf(s, ann))?.status === 'active' ? true : undefined), { what: `Ann enrolled on ${s} at activation` });

  const bob = await visit('bob@segment-entry.example');
  for (const s of [staying, leaving]) await eventually(async () => ((await enrolmentOf(s, bob))?.status === 'active' ? true : undefined), { what: `Bob enrolled on ${s} on entering` });

  // Once their visits age out of the segment.
  const left = await eventually(async () => {
    const e = await enrolmentOf(leaving, ann);
    return e?.status === 'exited' ? e : undefined;
  }, { what: 'Ann to leave the stream that lets people go', timeoutMs: 60_000 });
  expect(left.exitReason).toBe('left segment');
  await eventually(async () => ((await enrolmentOf(leaving, bob))?.status === 'exited' ? true : undefined), { what: 'Bob to leave too', timeoutMs: 60_000 });
  expect((await enrolments(staying)).map((e) => e.status)).toEqual(['active', 'active']);
}, 150_000);

test('an entry segment must exist and hold people', async () => {
  const accounts = (await h.api('POST', '/v1/segments', { name: 'Software', level: 'account', definition: { field: 'account.industry', op: 'eq', value: 'software' } })).body.id;
  const wrong = await h.api('POST', '/v1/nurture-streams', { name: 'X', entry: { segmentId: accounts }, cadence: { every: 'P7D' }, stages: [{ name: 'A', campaigns: [{ id: 'a', template: 'segment-intro' }] }] });
  expect(wrong.status).toBe(400);
  expect(wrong.body.error.details[0].path).toBe('entry.segmentId');
  expect((await h.api('POST', '/v1/nurture-streams', { name: 'X', entry: { segmentId: 'seg_nope' }, cadence: { every: 'P7D' }, stages: [{ name: 'A', campaigns: [{ id: 'a', template: 'segment-intro' }] }] })).status).toBe(404);
});
