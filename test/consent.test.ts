import { mayReceive } from '../domain/email/consent';
import { changeConsent } from '../lib/consent-store';
import { Person } from '../models/person';
import { SubscriptionTopic } from '../models/subscription-topic';
import { ADMIN_KEY, eventually, Harness, startHarness } from './support/harness';

let h: Harness;
let marketer: { id: string; key: string };
let operator: string;
let ingest: string;

const newKey = async (role: string) => (await h.api('POST', '/v1/api-keys', { role, name: `${role} key` })).body as { id: string; key: string };

beforeAll(async () => {
  h = await startHarness();
  marketer = await newKey('marketer');
  operator = (await newKey('operator')).key;
  ingest = (await newKey('ingest')).key;
});
afterAll(() => h?.close());

const consentOf = async (personId: string, key?: string) => (await h.api('GET', `/v1/people/${personId}/consent`, undefined, key)).body;

/** Whether a marketing email of this topic may go to this person now, from what is stored. */
async function mayGet(personId: string, topicKey: string) {
  const [person, topic] = await Promise.all([Person.findOne({ _id: personId }).lean(), SubscriptionTopic.findOne({ _id: topicKey }).lean()]);
  return mayReceive(person?.consent, { kind: 'marketing' }, topic && { key: topic._id, requireOptIn: topic.requireOptIn });
}

describe('subscription topics', () => {
  test('a marketer defines topics; one of them requires opt-in; everyone with a key for reading sees them', async () => {
    expect((await h.api('PUT', '/v1/subscription-topics/newsletter', { name: 'Monthly newsletter' }, marketer.key)).status).toBe(201);
    expect((await h.api('PUT', '/v1/subscription-topics/webinars', { name: 'Webinar invitations', requireOptIn: true }, marketer.key)).status).toBe(201);
    expect((await h.api('PUT', '/v1/subscription-topics/webinars', { name: 'Webinars', requireOptIn: true }, marketer.key)).status).toBe(200);
    expect((await h.api('GET', '/v1/subscription-topics/webinars', undefined, operator)).body).toEqual({ key: 'webinars', name: 'Webinars', requireOptIn: true });
    expect((await h.api('GET', '/v1/subscription-topics', undefined, operator)).body.items).toEqual([
      { key: 'newsletter', name: 'Monthly newsletter', requireOptIn: false },
      { key: 'webinars', name: 'Webinars', requireOptIn: true },
    ]);
  });

  test('operators and ingest keys cannot define topics; a key with a dot is refused', async () => {
    expect((await h.api('PUT', '/v1/subscription-topics/promo', { name: 'Promo' }, operator)).status).toBe(403);
    expect((await h.api('PUT', '/v1/subscription-topics/promo', { name: 'Promo' }, ingest)).status).toBe(403);
    const dotted = await h.api('PUT', '/v1/subscription-topics/a.b', { name: 'Dotted' });
    expect(dotted.status).toBe(400);
    expect(dotted.body.error.details[0].path).toBe('params.key');
  });
});

describe("a person's consent", () => {
  let ann: string;

  test('saying nothing gets the newsletter but not the webinars, which need an explicit yes', async () => {
    ann = (await h.api('PUT', '/v1/people/ann@acme.example', { firstName: 'Ann' })).body.personId;
    expect(await mayGet(ann, 'newsletter')).toEqual({ allowed: true });
    expect(await mayGet(ann, 'webinars')).toEqual({ allowed: false, reason: 'opt_in_required' });

    expect((await h.api('PUT', '/v1/people/ann@acme.example', { consent: { topics: { webinars: true } } }, marketer.key)).status).toBe(200);
    expect(await mayGet(ann, 'webinars')).toEqual({ allowed: true });
  });

  test('a change to one topic keeps the others and the email and tracking consent', async () => {
    await h.api('PUT', '/v1/people/ann@acme.example', { consent: { email: true, tracking: false } }, marketer.key);
    await h.api('PUT', '/v1/people/ann@acme.example', { consent: { topics: { newsletter: false } } }, marketer.key);
    const profile = (await h.api('GET', `/v1/people/${ann}`)).body;
    expect(profile.consent).toEqual({ email: true, tracking: false, topics: { webinars: true, newsletter: false } });
    expect(await mayGet(ann, 'newsletter')).toEqual({ allowed: false, reason: 'topic_opted_out' });
    expect(await mayGet(ann, 'webinars')).toEqual({ allowed: true });
  });

  test('each change is recorded with its source, who made it and what it was before, and audited', async () => {
    const { items } = await consentOf(ann);
    expect(items.map((c: { source: string; keyId: string; changes: unknown }) => ({ source: c.source, keyId: c.keyId, changes: c.changes }))).toEqual([
      { source: 'api', keyId: marketer.id, changes: [{ field: 'topics.newsletter', from: null, to: false }] },
      { source: 'api', keyId: marketer.id, changes: [{ field: 'email', from: null, to: true }, { field: 'tracking', from: null, to: false }] },
      { source: 'api', keyId: marketer.id, changes: [{ field: 'topics.webinars', from: null, to: true }] },
    ]);
    const audit = (await h.api('GET', '/v1/audit-log')).body.items.filter((a: { resource: string; action: string }) => a.resource === `person:${ann}:consent` && a.action === 'consent.api');
    expect(audit).toHaveLength(3);
    expect(audit[0]).toMatchObject({ keyId: marketer.id, role: 'marketer' });
  });

  test('asking again for what is already so records nothing', async () => {
    await h.api('PUT', '/v1/people/ann@acme.example', { consent: { email: true, topics: { webinars: true } } }, marketer.key);
    expect((await consentOf(ann)).items).toHaveLength(3);
  });

  test('a one-click unsubscribe is recorded as such, by the recipient, with the message it came from', async () => {
    expect(await changeConsent(ann, { topics: { webinars: false } }, { source: 'one_click', ref: 'msg-42' })).toEqual([{ field: 'topics.webinars', from: true, to: false }]);
    const [latest] = (await consentOf(ann)).items;
    expect(latest).toMatchObject({ source: 'one_click', keyId: 'one_click', ref: 'msg-42', changes: [{ field: 'topics.webinars', from: true, to: false }] });
    const audit = (await h.api('GET', '/v1/audit-log')).body.items;
    expect(audit).toContainEqual(expect.objectContaining({ action: 'consent.one_click', role: 'recipient', resource: `person:${ann}:consent` }));
    expect(await mayGet(ann, 'webinars')).toEqual({ allowed: false, reason: 'topic_opted_out' });
  });

  test('no to all marketing email stops every topic', async () => {
    await h.api('PUT', '/v1/people/ann@acme.example', { consent: { email: false, topics: { newsletter: true } } }, marketer.key);
    expect(await mayGet(ann, 'newsletter')).toEqual({ allowed: false, reason: 'opted_out' });
  });

  test('consent to a topic that is not defined is a 400 naming it, and no one is created', async () => {
    const res = await h.api('PUT', '/v1/people/bob@acme.example', { firstName: 'Bob', consent: { topics: { promo: true } } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'consent.topics.promo', message: expect.stringContaining("no subscription topic 'promo'") }]);
    expect(await Person.countDocuments({ email: 'bob@acme.example' })).toBe(0);
  });

  test('operators read consent and its history with the email masked; the read is audited', async () => {
    const masked = await consentOf(ann, operator);
    expect(masked.email).toBe('a***@acme.example');
    expect(masked.consent).toMatchObject({ email: false });
    expect(masked.items.length).toBeGreaterThan(0);
    expect((await consentOf(ann)).email).toBe('ann@acme.example');
    expect((await h.api('GET', `/v1/people/${ann}/consent`, undefined, ingest)).status).toBe(403);
    const audit = (await h.api('GET', '/v1/audit-log')).body.items;
    expect(audit).toContainEqual(expect.objectContaining({ action: 'read', resource: `person:${ann}:consent`, role: 'operator' }));
  });
});

test('an import sets consent the same way: topic by topic, recorded with the import as its source', async () => {
  const file = [
    JSON.stringify({ email: 'cleo@acme.example', consent: { topics: { newsletter: true } } }),
    JSON.stringify({ email: 'cleo@acme.example', consent: { topics: { webinars: true } } }),
    JSON.stringify({ email: 'dan@acme.example', consent: { topics: { promo: true } } }),
  ].join('\n');
  const res = await fetch(`${h.baseUrl}/v1/imports?kind=people&format=ndjson`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/x-ndjson' }, body: `${file}\n` });
  expect(res.status).toBe(202);
  const { importId } = (await res.json()) as { importId: string };
  const done = await eventually(async () => {
    const job = (await h.api('GET', `/v1/imports/${importId}`)).body;
    return ['completed', 'failed'].includes(job.status) ? job : undefined;
  }, { what: 'the import to finish' });
  expect(done).toMatchObject({ done: 2, failed: 1 });
  expect(done.errors).toEqual([expect.objectContaining({ row: 3, field: 'consent.topics.promo' })]);
  expect(await Person.countDocuments({ email: 'dan@acme.example' })).toBe(0);

  const cleo = (await Person.findOne({ email: 'cleo@acme.example' }).lean())!;
  expect(cleo.consent).toEqual({ topics: { newsletter: true, webinars: true } });
  expect((await consentOf(cleo._id)).items).toEqual([
    expect.objectContaining({ source: 'import', ref: importId, changes: [{ field: 'topics.newsletter', from: null, to: true }, { field: 'topics.webinars', from: null, to: true }] }),
  ]);
});
