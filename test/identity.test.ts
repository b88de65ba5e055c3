import { applyToEntity } from '../activities/entity-scoring';
import { Merge } from '../models/merge';
import { op } from '../lib/query';
import { Person } from '../models/person';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';
import { workflowStory } from './support/histories';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/scoring-model', {
    fit: [{ id: 'cto', when: { field: 'person.jobTitle', op: 'contains', value: 'CTO' }, points: 30 }],
    behavior: [{ id: 'visits', event: 'web_visit', minCount: 2, within: 'P30D', points: 25 }],
    qualifyAt: 50,
  });
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme Corp', domain: 'acme.example' });
  await h.api('PUT', '/v1/accounts/globex', { name: 'Globex', domain: 'globex.example' });
});
afterAll(() => h?.close());

const recently = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

async function score(personId: string, total: number) {
  return eventually(
    async () => {
      const s = (await h.api('GET', `/v1/people/${personId}/score`)).body;
      // Thrown, not undefined: a time-out then says what the score last was.
      if (s.total !== total) throw new Error(`scored ${s.total} (${(s.breakdown ?? []).map((b: { ruleId: string }) => b.ruleId).join(', ')})`);
      return s;
    },
    {
      what: `${personId} to score ${total}`,
      timeoutMs: 30000,
      // What her stored document holds, and what her own workflow and her account's did meanwhile (either may not exist).
      explain: async () => {
        const stored = await Person.findOne({ _id: personId }, { accountKey: 1, lastBatchId: 1, activity: 1, recentEvents: 1 }).lean();
        const stories = [`person:${personId}`, 'account:acme'].map((id) => workflowStory(h.client, id).catch((err) => `${id}: ${String(err)}`));
        return [`stored: ${JSON.stringify(stored)}`, ...(await Promise.all(stories))].join('\n');
      },
    },
  );
}

test('an anonymous visitor who later submits a form with her email becomes one person with her whole history and score', async () => {
  const visits = [event({ type: 'web_visit', occurredAt: recently(30), person: { anonymousId: 'cookie-1' } }), event({ type: 'web_visit', occurredAt: recently(20), person: { anonymousId: 'cookie-1' } })];
  await h.api('POST', '/v1/events', { events: visits });
  const form = event({ type: 'form_submit', occurredAt: recently(10), person: { anonymousId: 'cookie-1', email: 'carol@acme.example' } });
  expect((await h.api('POST', '/v1/events', { events: [form] })).body.accepted).toBe(1);

  const { personId } = (await h.api('PUT', '/v1/people/carol@acme.example', { jobTitle: 'CTO' })).body;
  const profile = (await h.api('GET', `/v1/people/${personId}`)).body;
  expect(profile.identities).toEqual(expect.arrayContaining([{ kind: 'anonymousId', value: 'cookie-1' }, { kind: 'email', value: 'carol@acme.example' }]));
  expect(profile.accountKey).toBe('acme');
  const timeline = (await h.api('GET', `/v1/people/${personId}/timeline`)).body.items;
  expect(timeline.map((i: { eventId: string }) => i.eventId)).toEqual([form.eventId, visits[1].eventId, visits[0].eventId]);
  const s = await score(personId, 55);
  expect(s.breakdown.map((b: { ruleId: string }) => b.ruleId)).toEqual(['cto', 'visits']);
});

test("a visitor's batch that her own workflow applies after she joined an account writes nothing, and is left to the account's workflow", async () => {
  await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', occurredAt: recently(5), person: { anonymousId: 'cookie-race' } })] });
  const visitor = await eventually(async () => (await Person.findOne({ 'activity.total': 1, accountKey: op({ $exists: false }), 'summary.inbound90d': 1 }).lean()) ?? undefined, { what: 'the visitor applied' });
  // She joins an account between her workflow's check of who owns her and its write.
  await Person.updateOne({ _id: visitor._id }, { $set: { accountKey: 'acme' } });
  const late = { eventId: `late-${visitor._id}`, type: 'web_visit' as const, occurredAt: recently(1), personId: visitor._id };
  await expect(applyToEntity({ kind: 'person', personId: visitor._id }, 'race-batch-1', [late])).rejects.toThrow(`person ${visitor._id} joined account acme`);
  const after = await Person.findOne({ _id: visitor._id }).lean();
  expect(after?.activity?.total).toBe(1);
  expect(after?.recentEvents?.map((e) => e.eventId)).toEqual(visitor.recentEvents?.map((e) => e.eventId));
});

test('identifying a known lead with the cookie of an anonymous visitor merges them, keeps the merged record and records why', async () => {
  const { personId: dave } = (await h.api('PUT', '/v1/people/dave@globex.example', { jobTitle: 'CTO', accountKey: 'globex' })).body;
  await h.api('POST', '/v1/events', { events: [1, 2].map((i) => event({ type: 'web_visit', occurredAt: recently(40 + i), person: { anonymousId: 'cookie-2' } })) });
  const anonymous = await eventually(async () => (await Person.findOne({ 'activity.total': 2, accountKey: op({ $exists: false }) }).lean()) ?? undefined, { what: 'the anonymous visitor' });
  await score(dave, 30);

  const res = await h.api('POST', '/v1/identify', { person: { email: 'dave@globex.example', anonymousId: 'cookie-2' }, traits: { firstName: 'Dave', favouriteColour: 'blue' } });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ personId: dave, merged: [anonymous._id] });

  await score(dave, 55);
  const profile = (await h.api('GET', `/v1/people/${dave}`)).body;
  expect(profile.attributes).toMatchObject({ firstName: 'Dave', favouriteColour: 'blue', jobTitle: 'CTO' });
  expect(profile.activity.total).toBe(2);
  expect((await Person.findOne({ _id: anonymous._id }).lean())?.mergedInto).toBe(dave);
  expect(await Merge.findOne({ from: anonymous._id }).lean()).toMatchObject({ into: dave, reason: 'identifiers claimed together' });
  const account = await eventually(async () => {
    const a = (await h.api('GET', '/v1/accounts/globex')).body;
    return a.score?.engagementPoints === 25 ? a : undefined;
  }, { what: 'globex to count the merged visits' });
  expect(account.recentlyActiveContacts.map((c: { personId: string }) => c.personId)).toEqual([dave]);
});

test('an email already bound to another CRM contact is refused clearly and nothing is overwritten', async () => {
  const first = await h.api('POST', '/v1/identify', { person: { email: 'erin@acme.example', crmId: 'CRM-1' } });
  expect(first.status).toBe(200);
  const conflict = await h.api('POST', '/v1/identify', { person: { email: 'erin@acme.example', crmId: 'CRM-2' } });
  expect(conflict.status).toBe(409);
  expect(conflict.body.error.message).toMatch(/CRM-1, CRM-2/);
  const profile = (await h.api('GET', `/v1/people/${first.body.personId}`)).body;
  expect(profile.identities.filter((i: { kind: string }) => i.kind === 'crmId')).toEqual([{ kind: 'crmId', value: 'CRM-1' }]);
  const evt = await h.api('POST', '/v1/events', { events: [event({ person: { email: 'erin@acme.example', crmId: 'CRM-3' } }), event({ person: { email: 'erin@acme.example' } })] });
  expect(evt.body.accepted).toBe(1);
  expect(evt.body.rejected).toEqual([expect.objectContaining({ index: 0, details: [expect.objectContaining({ path: 'events.0.person' })] })]);
});

test('a person who moves to another account takes her contribution to its score with her', async () => {
  const { personId } = (await h.api('PUT', '/v1/people/frank@acme.example', {})).body;
  await h.api('POST', '/v1/events', { events: [1, 2].map((i) => event({ type: 'web_visit', occurredAt: recently(i), person: { email: 'frank@acme.example' } })) });
  await score(personId, 25);
  const engagement = async (key: string) => (await h.api('GET', `/v1/accounts/${key}`)).body.score?.engagementPoints;
  const acmeBefore = await engagement('acme');
  const globexBefore = await engagement('globex');
  await h.api('PUT', '/v1/people/frank@acme.example', { accountKey: 'globex' });
  await eventually(async () => ((await engagement('globex')) === globexBefore + 25 && (await engagement('acme')) === acmeBefore - 25 ? true : undefined), {
    what: 'the contribution to move from acme to globex',
  });
});

test('an anonymous visitor who identifies with her email through /v1/identify can be emailed at it', async () => {
  await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', occurredAt: recently(5), person: { anonymousId: 'cookie-dora' } })] });
  const { personId } = (await h.api('POST', '/v1/identify', { person: { anonymousId: 'cookie-dora', email: 'Dora@Acme.example' } })).body;
  const person = await eventually(async () => (await Person.findOne({ _id: personId }).lean()) ?? undefined, { what: 'dora' });
  expect(person.email).toBe('dora@acme.example');
  const again = (await h.api('POST', '/v1/identify', { person: { anonymousId: 'cookie-dora', email: 'dora.other@acme.example' } })).body;
  expect(again.personId).toBe(personId);
  expect((await Person.findOne({ _id: personId }).lean())!.email).toBe('dora@acme.example');
});

test('a person created through PUT /v1/people has every field sent on her profile and is scored on them; a later PUT changes them', async () => {
  const created = await h.api('PUT', '/v1/people/grace@acme.example', { firstName: 'Grace', jobTitle: 'CTO', seniority: 'executive', attributes: { city: 'Delft' } });
  expect(created.status).toBe(201);
  const { personId } = created.body;
  expect((await h.api('GET', `/v1/people/${personId}`)).body).toMatchObject({
    accountKey: 'acme',
    attributes: { firstName: 'Grace', jobTitle: 'CTO', seniority: 'executive', email: 'grace@acme.example', city: 'Delft' },
  });
  await score(personId, 30);
  const updated = await h.api('PUT', '/v1/people/grace@acme.example', { jobTitle: 'Head of Sales' });
  expect(updated.status).toBe(200);
  expect((await h.api('GET', `/v1/people/${personId}`)).body.attributes).toMatchObject({ firstName: 'Grace', jobTitle: 'Head of Sales' });
  await score(personId, 0);
});
