import { createHmac } from 'node:crypto';
import { hashedEmail } from '../domain/audience/hash';
import type { CrmPerson } from '../domain/crm/records';
import type { RecordResult } from '../domain/crm/result';
import { linkedInAudience } from '../lib/audience/linkedin';
import { adapterFor } from '../lib/crm/adapter';
import { startFakeHttp } from './support/fake-http';
import { startFakeHubSpot, type FakeHubSpot } from './support/fake-hubspot';
import { startFakeLinkedIn } from './support/fake-linkedin';
import { startFakeSalesforce, type FakeSalesforce } from './support/fake-salesforce';

const lead = (n: number, extra: Partial<CrmPerson> = {}): CrmPerson => ({ messageId: `msg-${n}`, email: `lead${n}@acme.example`, firstName: `Lead${n}`, score: 80 + (n % 10), status: 'qualified', ...extra });
const failures = (results: RecordResult[]) => results.filter((r) => !r.ok);

describe('HubSpot', () => {
  let hubspot: FakeHubSpot;
  const adapter = () => adapterFor({ kind: 'hubspot', baseUrl: hubspot.url, accessToken: hubspot.token });
  beforeEach(async () => {
    hubspot = await startFakeHubSpot();
  });
  afterEach(() => hubspot.close());

  test('a qualified lead becomes a contact, and sending it again updates that contact instead of creating a second', async () => {
    const first = await adapter().upsertPeople([lead(1, { interests: ['analytics', 'security'] })]);
    expect(first).toEqual([{ messageId: 'msg-1', ok: true, providerId: expect.any(String) }]);
    const again = await adapter().upsertPeople([lead(1, { email: ' LEAD1@acme.example', score: 95 })]);
    expect(again).toEqual([{ messageId: 'msg-1', ok: true, providerId: (first[0] as { providerId: string }).providerId }]);
    expect(hubspot.state.contacts.size).toBe(1);
    expect(hubspot.state.contacts.get('lead1@acme.example')!.properties).toMatchObject({ b2b_score: '95', b2b_interests: 'analytics;security', b2b_status: 'qualified' });
  });

  test('250 leads go as 3 requests of at most 100, each lead with its own contact id', async () => {
    const results = await adapter().upsertPeople(Array.from({ length: 250 }, (_, i) => lead(i)));
    expect(hubspot.requests.map((r) => r.body.inputs.length)).toEqual([100, 100, 50]);
    expect(results.map((r) => r.messageId)).toEqual(Array.from({ length: 250 }, (_, i) => `msg-${i}`));
    expect(new Set(results.map((r) => r.ok && r.providerId)).size).toBe(250);
  });

  test('a lead HubSpot refuses fails alone with HubSpot\'s reason; the others of its batch are synced', async () => {
    hubspot.reject(['lead2@acme.example'], 'Property values were not valid: b2b_score is not a number');
    const results = await adapter().upsertPeople([lead(1), lead(2), lead(3)]);
    expect(hubspot.requests).toHaveLength(1);
    expect(failures(results)).toEqual([{ messageId: 'msg-2', ok: false, permanent: true, error: 'HubSpot refused it: Property values were not valid: b2b_score is not a number' }]);
    expect(results.filter((r) => r.ok).map((r) => r.messageId)).toEqual(['msg-1', 'msg-3']);
    expect([...hubspot.state.contacts.keys()].sort()).toEqual(['lead1@acme.example', 'lead3@acme.example']);
  });

  test('HubSpot\'s rate limit makes every lead wait as long as HubSpot asks, and the client does not retry on its own', async () => {
    hubspot.failNext(1, 429, '10');
    const results = await adapter().upsertPeople(Array.from({ length: 150 }, (_, i) => lead(i)));
    expect(hubspot.requests).toHaveLength(1); // the second batch is not sent into the same limit
    expect(results).toHaveLength(150);
    for (const r of results) expect(r).toMatchObject({ ok: false, permanent: false, retryAfterMs: 10_000, error: expect.stringContaining('HubSpot answered 429') });
    expect(hubspot.state.contacts.size).toBe(0);
  });

  test('HubSpot being down (503) is a transient failure for every lead; nothing is lost or duplicated when it is back', async () => {
    hubspot.failNext(1, 503);
    const down = await adapter().upsertPeople([lead(1), lead(2)]);
    for (const r of down) expect(r).toMatchObject({ ok: false, permanent: false, error: 'HubSpot answered 503: internal error' });
    const back = await adapter().upsertPeople([lead(1), lead(2)]);
    expect(back.every((r) => r.ok)).toBe(true);
    expect(hubspot.state.contacts.size).toBe(2);
  });

  test('a bad request (400) is final for every lead of it', async () => {
    hubspot.failNext(1, 400);
    for (const r of await adapter().upsertPeople([lead(1)])) expect(r).toMatchObject({ ok: false, permanent: true });
  });

  test('a HubSpot that cannot be reached, or does not answer in time, is transient', async () => {
    hubspot.holdNext();
    const slow = adapterFor({ kind: 'hubspot', baseUrl: hubspot.url, accessToken: hubspot.token }, { timeoutMs: 300 });
    expect(await slow.upsertPeople([lead(1)])).toEqual([{ messageId: 'msg-1', ok: false, permanent: false, error: 'HubSpot could not be reached: ETIMEDOUT' }]);
    const url = hubspot.url;
    await hubspot.close();
    const gone = adapterFor({ kind: 'hubspot', baseUrl: url, accessToken: 'any-token' });
    expect(await gone.upsertPeople([lead(1)])).toEqual([{ messageId: 'msg-1', ok: false, permanent: false, error: 'HubSpot could not be reached: ECONNREFUSED' }]);
    hubspot = await startFakeHubSpot();
  });

  test('a buying group shared with sales lands as a company, its members associated to it, and a task for the owner', async () => {
    const crm = adapter();
    expect((await crm.upsertCompanies([{ messageId: 'c-1', domain: 'www.Acme.example', name: 'Acme' }]))[0]).toMatchObject({ ok: true });
    await crm.upsertPeople([lead(1), lead(2)]);
    const associated = await crm.associate([
      { messageId: 'a-1', personEmail: 'lead1@acme.example', companyDomain: 'acme.example' },
      { messageId: 'a-2', personEmail: 'lead2@acme.example', companyDomain: 'acme.example' },
      { messageId: 'a-3', personEmail: 'nobody@acme.example', companyDomain: 'acme.example' },
    ]);
    expect(associated.map((r) => r.ok)).toEqual([true, true, false]);
    expect(associated[2]).toEqual({ messageId: 'a-3', ok: false, permanent: false, error: 'the contact is not in HubSpot (yet)' });
    const company = hubspot.state.companies.get('acme.example')!;
    expect(company.properties).toMatchObject({ domain: 'acme.example', name: 'Acme' });
    const ids = ['lead1@acme.example', 'lead2@acme.example'].map((e) => `${hubspot.state.contacts.get(e)!.id}->${company.id}`);
    expect([...hubspot.state.associations].sort()).toEqual(ids.sort());

    const [task] = await crm.createTasks([{ messageId: 't-1', ownerId: '4242', subject: 'Acme buying group is ready', body: '4 of 5 roles filled; missing: economic buyer' }]);
    expect(task).toEqual({ messageId: 't-1', ok: true, providerId: hubspot.state.tasks[0].id });
    expect(hubspot.state.tasks[0].properties).toMatchObject({ hubspot_owner_id: '4242', hs_task_subject: 'Acme buying group is ready', hs_task_body: '4 of 5 roles filled; missing: economic buyer' });
  });

  test('the access token is never part of a result', async () => {
    const crm = adapterFor({ kind: 'hubspot', baseUrl: hubspot.url, accessToken: 'secret-token-123' });
    const [result] = await crm.upsertPeople([lead(1)]);
    expect(result).toMatchObject({ ok: false, permanent: false, error: 'HubSpot answered 401: Authentication credentials not found.' });
    expect(JSON.stringify(result)).not.toContain('secret-token-123');
  });
});

describe('Salesforce', () => {
  let salesforce: FakeSalesforce;
  const adapter = () => adapterFor({ kind: 'salesforce', baseUrl: salesforce.url, accessToken: salesforce.token });
  beforeEach(async () => {
    salesforce = await startFakeSalesforce();
  });
  afterEach(() => salesforce.close());

  test('250 qualified leads go as 2 upserts (200 + 50) by external id; sending them again creates no second lead', async () => {
    const people = Array.from({ length: 250 }, (_, i) => lead(i, { companyDomain: 'acme.example' }));
    const first = await adapter().upsertPeople(people);
    expect(salesforce.requests.map((r) => `${r.method} ${r.path.replace(/v[\d.]+/, 'vX')} ${r.body.records.length}`)).toEqual([
      'PATCH /services/data/vX/composite/sobjects/Lead/B2B_Person_Id__c 200',
      'PATCH /services/data/vX/composite/sobjects/Lead/B2B_Person_Id__c 50',
    ]);
    expect(first.every((r) => r.ok)).toBe(true);
    await adapter().upsertPeople(people);
    const leads = salesforce.state.upserted.get('Lead')!;
    expect(leads.size).toBe(250);
    expect(leads.get('lead7@acme.example')).toMatchObject({ Email: 'lead7@acme.example', LastName: '[not provided]', Company: 'acme.example', B2B_Score__c: 87 });
  });

  test('a lead Salesforce refuses (success:false) fails alone with Salesforce\'s message', async () => {
    salesforce.reject(['lead2@acme.example'], 'Email domain is blocked');
    const results = await adapter().upsertPeople([lead(1), lead(2), lead(3)]);
    expect(failures(results)).toEqual([{ messageId: 'msg-2', ok: false, permanent: true, error: 'Salesforce refused it: Email domain is blocked' }]);
    expect(salesforce.state.upserted.get('Lead')!.size).toBe(2);
  });

  test('Salesforce\'s API limit or an unavailable org is transient for every lead; a malformed request is final', async () => {
    salesforce.failNext(1, 403);
    for (const r of await adapter().upsertPeople([lead(1), lead(2)])) expect(r).toMatchObject({ ok: false, permanent: false, error: 'Salesforce answered REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.' });
    salesforce.failNext(1, 503);
    for (const r of await adapter().upsertPeople([lead(1)])) expect(r).toMatchObject({ ok: false, permanent: false });
    salesforce.failNext(1, 400);
    for (const r of await adapter().upsertPeople([lead(1)])) expect(r).toMatchObject({ ok: false, permanent: true });
    expect(salesforce.requests).toHaveLength(3); // jsforce retries no PATCH
  });

  test('the owner task and the account land; a lead names its company itself, so there is no association to make', async () => {
    const crm = adapter();
    expect(await crm.createTasks([{ messageId: 't-1', ownerId: '005000000000001', subject: 'Call Acme', body: 'Buying group complete' }])).toEqual([{ messageId: 't-1', ok: true, providerId: expect.any(String) }]);
    expect(salesforce.state.created.get('Task')).toEqual([expect.objectContaining({ OwnerId: '005000000000001', Subject: 'Call Acme', Status: 'Not Started' })]);
    expect((await crm.upsertCompanies([{ messageId: 'c-1', domain: 'acme.example', name: 'Acme' }]))[0].ok).toBe(true);
    expect(salesforce.state.upserted.get('Account')!.get('acme.example')).toMatchObject({ Name: 'Acme', Website: 'acme.example' });
    expect((await crm.associate([{ messageId: 'a-1', personEmail: 'x@acme.example', companyDomain: 'acme.example' }]))[0]).toMatchObject({ ok: false, permanent: true });
  });
});

describe('generic webhook CRM', () => {
  test('records arrive as one signed JSON POST the receiver can verify, with a stable idempotency key', async () => {
    const receiver = await startFakeHttp(() => ({ status: 200, body: {} }));
    try {
      const secret = 'crm-webhook-secret-0123';
      const crm = adapterFor({ kind: 'webhook', baseUrl: `${receiver.url}/crm`, secret }, { allowPrivate: true });
      const people = [lead(1), lead(2)];
      expect(await crm.upsertPeople(people)).toEqual([
        { messageId: 'msg-1', ok: true, providerId: 'msg-1' },
        { messageId: 'msg-2', ok: true, providerId: 'msg-2' },
      ]);
      await crm.upsertPeople(people);
      const [call, replay] = receiver.requests;
      expect(call.body).toEqual({ kind: 'person', records: people });
      expect(call.headers['x-signature']).toBe(`sha256=${createHmac('sha256', secret).update(call.raw).digest('hex')}`);
      expect(replay.headers['idempotency-key']).toBe(call.headers['idempotency-key']);
      receiver.script({ status: 400, body: {} });
      expect(await crm.createTasks([{ messageId: 't-1', subject: 's', body: 'b' }])).toEqual([{ messageId: 't-1', ok: false, permanent: true, error: 'webhook answered 400' }]);
      receiver.script({ status: 503, body: {} });
      expect(await crm.createTasks([{ messageId: 't-1', subject: 's', body: 'b' }])).toEqual([{ messageId: 't-1', ok: false, permanent: false, error: 'webhook answered 503' }]);
    } finally {
      await receiver.close();
    }
  });

  test('a connection missing what its kind needs is refused naming the field', () => {
    expect(() => adapterFor({ kind: 'webhook', baseUrl: 'https://crm.example/hook' })).toThrow('secret');
    expect(() => adapterFor({ kind: 'salesforce', accessToken: 't' })).toThrow('baseUrl');
    expect(() => adapterFor({ kind: 'hubspot', accessToken: 't', mapping: { person: { nope: 'x' } } })).toThrow('mapping.person.nope');
  });
});

describe('LinkedIn matched audience', () => {
  test('people entering the segment are added and people leaving removed, as hashed emails only', async () => {
    const linkedin = await startFakeLinkedIn();
    try {
      const audience = linkedInAudience({ baseUrl: linkedin.url, accessToken: linkedin.token });
      const [ada, bo] = [hashedEmail('Ada@Acme.example'), hashedEmail('bo@acme.example')];
      const added = await audience.addOrRemove('urn:li:dmpSegment:123', [
        { messageId: 'e-1', action: 'ADD', sha256Email: ada },
        { messageId: 'e-2', action: 'ADD', sha256Email: bo },
      ]);
      expect(added.map((r) => r.ok)).toEqual([true, true]);
      expect(linkedin.members('123')).toEqual([ada, bo].sort());
      await audience.addOrRemove('urn:li:dmpSegment:123', [{ messageId: 'x-1', action: 'REMOVE', sha256Email: bo }]);
      expect(linkedin.members('123')).toEqual([ada]);
      expect(linkedin.requests.map((r) => r.raw).join('')).not.toContain('@');
    } finally {
      await linkedin.close();
    }
  });

  test('6,000 changes go as 2 requests; a refused member fails alone; a throttle waits as LinkedIn asks', async () => {
    const linkedin = await startFakeLinkedIn();
    try {
      const audience = linkedInAudience({ baseUrl: linkedin.url, accessToken: linkedin.token });
      const changes = Array.from({ length: 6000 }, (_, i) => ({ messageId: `m-${i}`, action: 'ADD' as const, sha256Email: hashedEmail(`p${i}@acme.example`) }));
      linkedin.reject([changes[42].sha256Email]);
      const results = await audience.addOrRemove('urn:li:dmpSegment:9', changes);
      expect(linkedin.requests.map((r) => r.body.elements.length)).toEqual([5000, 1000]);
      expect(failures(results)).toEqual([{ messageId: 'm-42', ok: false, permanent: true, error: 'LinkedIn refused it: Member cannot be matched' }]);
      expect(linkedin.members('9')).toHaveLength(5999);
      linkedin.failNext(1, 429, '60');
      const throttled = await audience.addOrRemove('urn:li:dmpSegment:9', changes.slice(0, 3));
      for (const r of throttled) expect(r).toMatchObject({ ok: false, permanent: false, retryAfterMs: 60_000 });
    } finally {
      await linkedin.close();
    }
  });
});
