import { countKey } from '../domain/people-counts';
import { op } from '../lib/query';
import { newSegmentId, readSegments, saveSegment as saveWithoutEvaluating } from '../lib/segment-store';
import { PeopleCount } from '../models/people-count';
import { Person } from '../models/person';
import { SegmentChange, SegmentMember } from '../models/segment-membership';
import { ensureSegmentRefreshSchedule, segmentRefreshScheduleId } from '../workers/schedules';
import { segmentRefreshWorkflowId } from '../workflows/segments';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme Corp', domain: 'acme.example', industry: 'Software' });
  await h.api('PUT', '/v1/accounts/initech', { name: 'Initech', domain: 'initech.example', industry: 'Software' });
});
afterAll(() => h?.close());

const URLS = ['/pricing', '/product-a', '/demo'];
// The seed's circle selection: opened a Product A mail in 7 days, OR visited one of three pages in 30 days, OR bought A in 7 days.
const circle = {
  any: [
    { performed: 'email_open', where: { field: 'event.properties.subject', op: 'contains', value: 'Product A' }, within: 'P7D' },
    { performed: 'web_visit', where: { field: 'event.properties.url', op: 'in', value: URLS }, within: 'P30D' },
    { performed: 'purchase', where: { field: 'event.properties.product', op: 'eq', value: 'A' }, within: 'P7D' },
  ],
};
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const DAY = 86_400_000;

async function saveSegment(name: string, level: 'person' | 'account', definition: unknown): Promise<string> {
  const res = await h.api('POST', '/v1/segments', { name, level, definition });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function changes(segmentId: string, since: string) {
  return (await h.api('GET', `/v1/segments/${segmentId}/members?changedSince=${encodeURIComponent(since)}`)).body.items as { memberId: string; change: string }[];
}

test('a lead who visits the pricing page enters the Product A circle within seconds, and the entry is listed for journeys', async () => {
  const started = new Date().toISOString();
  const segment = await saveSegment('Product A interest', 'person', circle);
  const { personId } = (await h.api('PUT', '/v1/people/dana@acme.example', { jobTitle: 'CTO' })).body;
  await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', occurredAt: ago(DAY), person: { email: 'dana@acme.example' }, properties: { url: '/pricing' } })] });

  const entered = await eventually(async () => (await changes(segment, started)).find((c) => c.memberId === personId), { what: 'dana to enter' });
  expect(entered.change).toBe('entered');
  const members = (await h.api('GET', `/v1/segments/${segment}/members`)).body.items;
  expect(members.map((m: { memberId: string }) => m.memberId)).toContain(personId);
  expect((await h.api('GET', `/v1/segments/${segment}`)).body).toMatchObject({ name: 'Product A interest', level: 'person', members: expect.any(Number) });
});

test('a behaviour leaving its window produces an exit without any new event', async () => {
  const started = new Date().toISOString();
  const segment = await saveSegment('Visited in the last 3 seconds', 'person', { performed: 'web_visit', within: 'PT3S' });
  const { personId } = (await h.api('PUT', '/v1/people/eve@acme.example', {})).body;
  await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', occurredAt: ago(0), person: { email: 'eve@acme.example' } })] });

  await eventually(async () => (await changes(segment, started)).some((c) => c.memberId === personId && c.change === 'entered') || undefined, { what: 'eve to enter' });
  const exit = await eventually(async () => (await changes(segment, started)).find((c) => c.memberId === personId && c.change === 'exited'), { what: 'eve to leave when her visit ages out', timeoutMs: 20000 });
  expect(exit).toBeDefined();
  // The exit is recorded just before the member list is updated: the list follows within moments.
  const members = async () => (await h.api('GET', `/v1/segments/${segment}/members`)).body.items.map((m: { memberId: string }) => m.memberId) as string[];
  await eventually(async () => (!(await members()).includes(personId) ? true : undefined), { what: 'eve gone from the members' });
});

test('an account with two people who downloaded the whitepaper enters the account audience; one with one does not', async () => {
  const started = new Date().toISOString();
  const segment = await saveSegment('Software accounts with two engaged contacts', 'account', {
    all: [{ field: 'account.industry', op: 'eq', value: 'software' }, { people: { performed: 'whitepaper_download', within: 'P90D' }, minCount: 2 }],
  });
  const downloads = ['fay@initech.example', 'gus@initech.example', 'hal@acme.example'].map((email) => event({ type: 'whitepaper_download', occurredAt: ago(DAY), person: { email } }));
  await h.api('POST', '/v1/events', { events: downloads });

  await eventually(async () => (await changes(segment, started)).find((c) => c.memberId === 'initech'), { what: 'initech to enter' });
  expect((await changes(segment, started)).map((c) => c.memberId)).not.toContain('acme');
  const csv = await h.api('GET', `/v1/segments/${segment}/export?format=csv`);
  expect(csv.status).toBe(200);
  expect(csv.body).toBe('accountKey,name,domain,industry,country\ninitech,Initech,initech.example,Software,\n');
});

test('people already known when a segment is saved are evaluated in the background, with progress', async () => {
  await h.api('PUT', '/v1/people/ivy@acme.example', { jobTitle: 'Chief Technology Officer' });
  const segment = await saveSegment('Technology leaders', 'person', { field: 'person.jobTitle', op: 'contains', value: 'technology' });
  const done = await eventually(async () => {
    const s = (await h.api('GET', `/v1/segments/${segment}`)).body;
    return s.evaluation?.status === 'completed' ? s : undefined;
  }, { what: 'the evaluation of everyone to finish' });
  expect(done.evaluation.evaluated).toBe(done.evaluation.total);
  expect(done.members).toBe(1);
  // One member: one NDJSON line, which the test client reads as one JSON value.
  expect((await h.api('GET', `/v1/segments/${segment}/export?format=ndjson`)).body).toMatchObject({ email: 'ivy@acme.example', jobTitle: 'Chief Technology Officer', accountKey: 'acme' });
});

test('a saved segment asks everyone to be evaluated before any count of everyone, showing those evaluated for the segments before as its total', async () => {
  const res = await h.api('POST', '/v1/segments', { name: 'Directors', level: 'person', definition: { field: 'person.jobTitle', op: 'contains', value: 'director' } });
  const before = await PeopleCount.findOne({ _id: countKey('segmentsRevision', res.body.revision - 1) }).lean();
  const handle = h.client.workflow.getHandle(segmentRefreshWorkflowId(h.config.TASK_QUEUE, res.body.revision));
  const done = await handle.result();
  expect(done).toMatchObject({ status: 'completed', total: await Person.countDocuments({ mergedInto: op({ $exists: false }) }) });
  expect(done.evaluated).toBe(done.total);
  const history = (await handle.fetchHistory()).events ?? [];
  const scheduled = history.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  expect(scheduled.slice(0, 2)).toEqual(['countEvaluated', 'signalRefreshAll']);
  expect(scheduled).not.toContain('countLivePeople');
  const estimate = history.find((e) => e.activityTaskCompletedEventAttributes)?.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
  expect(JSON.parse(Buffer.from(estimate!).toString())).toBe(before?.people ?? 0);
});

test('the evaluation of everyone may ask for as long as it takes: it is cut short when its worker stops answering for a minute, not after 30 minutes', async () => {
  const res = await h.api('POST', '/v1/segments', { name: 'Architects', level: 'person', definition: { field: 'person.jobTitle', op: 'contains', value: 'architect' } });
  const handle = h.client.workflow.getHandle(segmentRefreshWorkflowId(h.config.TASK_QUEUE, res.body.revision));
  expect(await handle.result()).toMatchObject({ status: 'completed' });
  const asking = ((await handle.fetchHistory()).events ?? []).find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'signalRefreshAll')!.activityTaskScheduledEventAttributes!;
  expect(Number(asking.heartbeatTimeout?.seconds)).toBe(60);
  expect(Number(asking.startToCloseTimeout?.seconds)).toBe(86_400);
});

test('people already known when a segment is saved are its members as soon as the save is answered; their entries follow as everyone is evaluated', async () => {
  const started = new Date().toISOString();
  const { personId } = (await h.api('PUT', '/v1/people/lou@initech.example', { jobTitle: 'VP Marketing Operations' })).body;
  const segment = await saveSegment('Marketing operations', 'person', { field: 'person.jobTitle', op: 'contains', value: 'marketing operations' });
  const listed = (await h.api('GET', `/v1/segments/${segment}/members`)).body.items.map((m: { memberId: string }) => m.memberId);
  expect(listed).toEqual([personId]);

  await eventually(async () => ((await h.api('GET', `/v1/segments/${segment}`)).body.evaluation?.status === 'completed' ? true : undefined), { what: 'the evaluation of everyone to finish' });
  expect((await changes(segment, started)).map((c) => [c.memberId, c.change])).toEqual([[personId, 'entered']]);
  expect((await h.api('GET', `/v1/segments/${segment}/members`)).body.items.map((m: { memberId: string }) => m.memberId)).toEqual([personId]);
});

test('someone listed when a segment was saved who no longer matches when first judged leaves the members, with no exit recorded', async () => {
  const email = 'max@initech.example';
  const { personId } = (await h.api('PUT', `/v1/people/${email}`, { jobTitle: 'Head of Finance' })).body;
  // Saved without the evaluation of everyone, and listed as a save whose snapshot predates her change would list her.
  const saved = await saveWithoutEvaluating({ id: newSegmentId(), name: 'Procurement (stale listing)', level: 'person', definition: { field: 'person.jobTitle', op: 'contains', value: 'procurement' } });
  await SegmentMember.create({ _id: `${saved.id}:${personId}`, segmentId: saved.id, memberId: personId, since: new Date() });

  await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', occurredAt: ago(0), person: { email } })] });
  await eventually(async () => ((await Person.findOne({ _id: personId }, { segmentsRevision: 1 }).lean())?.segmentsRevision === saved.revision ? true : undefined), { what: 'max to be judged against the segment' });
  expect(await SegmentMember.countDocuments({ segmentId: saved.id })).toBe(0);
  expect(await SegmentChange.countDocuments({ segmentId: saved.id })).toBe(0);
});

test('an evaluation completes with everyone counted even when its running count fell short (a worker stopped between a write and its count)', async () => {
  await h.api('PUT', '/v1/people/joy@initech.example', { jobTitle: 'Head of Procurement' });
  const next = (await readSegments()).revision + 1;
  // As if two people's writes were never counted.
  await PeopleCount.create({ _id: countKey('segmentsRevision', next), people: -2 });
  const res = await h.api('POST', '/v1/segments', { name: 'Procurement heads', level: 'person', definition: { field: 'person.jobTitle', op: 'contains', value: 'procurement' } });
  expect(res.body.revision).toBe(next);
  const done = await eventually(async () => {
    const s = (await h.api('GET', `/v1/segments/${res.body.id}`)).body;
    return s.evaluation?.status === 'completed' ? s : undefined;
  }, { what: 'the evaluation of everyone to finish from an exact count', timeoutMs: 60000 });
  expect(done.evaluation.evaluated).toBe(done.evaluation.total);
  expect(done.members).toBe(1);
});

test('the preview counts what a plain evaluation of the posted interactions counts', async () => {
  const subjects = ['Product A launch', 'Product B news', 'Webinar'];
  const urls = [...URLS, '/blog', '/careers'];
  const products = ['A', 'B'];
  const types = ['email_open', 'web_visit', 'purchase'] as const;
  const people = Array.from({ length: 24 }, (_, i) => `lead${i}@preview.example`);
  let seed = 7;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  const events = people.flatMap((email) =>
    Array.from({ length: rnd(4) }, () => {
      const type = types[rnd(3)];
      const properties: Record<string, string> = type === 'email_open' ? { subject: subjects[rnd(3)] } : type === 'web_visit' ? { url: urls[rnd(5)] } : { product: products[rnd(2)] };
      return { ...event({ type, occurredAt: ago(rnd(40) * DAY + 60000), person: { email } }), type, properties };
    }),
  );
  await h.api('POST', '/v1/events', { events });
  const windows = { email_open: 7 * DAY, web_visit: 30 * DAY, purchase: 7 * DAY };
  const hit = (e: (typeof events)[number]) => {
    const p = e.properties;
    const inWindow = Date.now() - Date.parse(e.occurredAt) < windows[e.type];
    return inWindow && (e.type === 'email_open' ? p.subject.includes('Product A') : e.type === 'web_visit' ? URLS.includes(p.url) : p.product === 'A');
  };
  const expected = new Set(events.filter(hit).map((e) => e.person.email));
  expect(expected.size).toBeGreaterThan(3);
  expect(expected.size).toBeLessThan(people.length);
  const preview = { level: 'person', definition: { all: [circle, { field: 'person.email', op: 'contains', value: '@preview.example' }] } };

  const res = await eventually(async () => {
    const r = (await h.api('POST', '/v1/segments/preview?fresh=true', preview)).body;
    return r.count === expected.size ? r : undefined;
  }, { what: `the preview to count ${expected.size}` });
  expect(res.sample.every((s: { email: string }) => expected.has(s.email))).toBe(true);
});

test('a preview counts people whose visits were applied, and an account changed, a moment before, without asking for a fresh snapshot', async () => {
  await h.api('PUT', '/v1/accounts/freshco', { name: 'Fresh Co', domain: 'fresh.example', industry: 'Retail' });
  const pricing = { level: 'person', definition: { all: [{ performed: 'web_visit', where: { field: 'event.properties.url', op: 'eq', value: '/pricing' }, within: 'P30D' }, { field: 'person.email', op: 'contains', value: '@fresh.example' }] } };
  expect((await h.api('POST', '/v1/segments/preview', pricing)).body.count).toBe(0);

  const visits = Array.from({ length: 5 }, (_, i) => event({ type: 'web_visit', occurredAt: ago(60000), accountKey: 'freshco', person: { email: `buyer${i}@fresh.example` }, properties: { url: '/pricing' } }));
  await h.api('POST', '/v1/events', { events: visits });
  // The account's counter is written after its people's: once it shows the visits, so do they.
  await eventually(async () => ((await h.api('GET', '/v1/accounts/freshco')).body.activity?.total === 5 ? true : undefined), { what: 'the visits to be applied' });
  expect((await h.api('POST', '/v1/segments/preview', pricing)).body.count).toBe(5);

  expect((await h.api('PUT', '/v1/accounts/freshco', { name: 'Fresh Co', domain: 'fresh.example', industry: 'Software' })).status).toBeLessThan(300);
  const software = { level: 'account', definition: { all: [{ field: 'account.industry', op: 'eq', value: 'Software' }, { field: 'account.domain', op: 'eq', value: 'fresh.example' }] } };
  expect((await h.api('POST', '/v1/segments/preview', software)).body.sample).toEqual([{ accountKey: 'freshco', name: 'Fresh Co' }]);
});

test('a preview counts a known visitor with no account yet as soon as her new visits were applied, without asking for a fresh snapshot', async () => {
  const visit = (url: string, minutes: number) => event({ type: 'web_visit', occurredAt: ago(minutes * 60000), person: { anonymousId: 'cookie-preview' }, properties: { url } });
  const applied = (e: { eventId: string }) => eventually(async () => (await Person.findOne({ 'recentEvents.eventId': e.eventId }, { _id: 1 }).lean()) ?? undefined, { what: `visit ${e.eventId} to be applied` });
  const demo = { level: 'person', definition: { performed: 'web_visit', where: { field: 'event.properties.url', op: 'eq', value: '/demo-anonymous' }, within: 'P30D' } };
  const first = visit('/blog', 3);
  await h.api('POST', '/v1/events', { events: [first] });
  await applied(first);
  expect((await h.api('POST', '/v1/segments/preview', demo)).body.count).toBe(0);

  const demoVisit = visit('/demo-anonymous', 1);
  await h.api('POST', '/v1/events', { events: [demoVisit] });
  await applied(demoVisit);
  expect((await h.api('POST', '/v1/segments/preview', demo)).body.count).toBe(1);
});

test('the recurring safety refresh re-evaluates everyone and shows the member counts in its run history', async () => {
  const segment = await saveSegment('Acme people', 'person', { field: 'person.accountKey', op: 'eq', value: 'acme' });
  await ensureSegmentRefreshSchedule(h.client, { taskQueue: h.config.TASK_QUEUE, everySeconds: 86400 });
  const schedule = h.client.schedule.getHandle(segmentRefreshScheduleId(h.config.TASK_QUEUE));
  await schedule.trigger();
  const run = await eventually(async () => (await schedule.describe()).info.recentActions[0], { what: 'the refresh run in the schedule history' });
  const result = await h.client.workflow.getHandle(run.action.workflow.workflowId, run.action.workflow.firstExecutionRunId).result();
  const acmePeople = await eventually(async () => {
    const n = (await h.api('GET', `/v1/segments/${segment}`)).body.members;
    return n > 0 ? n : undefined;
  }, { what: 'acme people to be members' });
  expect(result).toMatchObject({ status: 'completed', members: { [segment]: acmePeople } });
  await schedule.delete();
});

describe('definitions that cannot be run are refused with the path that is wrong', () => {
  const refuse = async (definition: unknown, path: string, level = 'person') => {
    const res = await h.api('POST', '/v1/segments/preview', { level, definition });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  };
  test('an unknown field', () => refuse({ any: [circle.any[0], { field: 'person.shoeSize', op: 'eq', value: 42 }] }, 'definition.any.1.field'));
  test('an unknown operator', () => refuse({ all: [{ field: 'person.jobTitle', op: 'like', value: 'CTO' }] }, 'definition.all.0.op'));
  test('an unknown event type', () => refuse({ performed: 'fax_sent', within: 'P7D' }, 'definition.performed'));
  test('an operator object where a value belongs', () => refuse({ field: 'person.email', op: 'eq', value: { $gt: '' } }, 'definition.value'));
  test('a person field in an account segment', () => refuse({ field: 'person.jobTitle', op: 'eq', value: 'CTO' }, 'definition.field', 'account'));
  test('nesting deeper than six levels', () => refuse({ not: { not: { not: { not: { not: { not: { not: { field: 'person.email', op: 'exists' } } } } } } } }, 'definition'));
  test('a body nested thousands of levels deep is refused, not a crash', async () => {
    const body = `{"level":"person","definition":${'{"not":'.repeat(5000)}{"field":"person.email","op":"exists"}${'}'.repeat(5000)}}`;
    const res = await h.api('POST', '/v1/segments/preview', body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/nested deeper than/);
  });
  test('a sales key may not build segments', async () => {
    const sales = (await h.api('POST', '/v1/api-keys', { role: 'sales', name: 'rep', ownerId: 'rep-1' })).body.key;
    expect((await h.api('POST', '/v1/segments/preview', { level: 'person', definition: circle }, sales)).status).toBe(403);
  });
});
