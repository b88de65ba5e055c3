import { eventually, Harness, startHarness } from './support/harness';
import { event } from './support/events';
import { localActivityTypes, workflowStory } from './support/histories';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme Corp', domain: 'acme.example', employees: 5000 });
});
afterAll(() => h?.close());

async function accountActivity(key: string, total: number) {
  return eventually(
    async () => {
      const res = await h.api('GET', `/v1/accounts/${key}`);
      return res.body.activity?.total === total ? res.body : undefined;
    },
    { what: `account ${key} to show ${total} interactions` },
  );
}

describe('ingesting interactions', () => {
  test('a lead who opens an email and visits the pricing page shows both on her profile and her account within seconds', async () => {
    const put = await h.api('PUT', '/v1/people/ann@acme.example', { firstName: 'Ann', jobTitle: 'CTO' });
    expect(put.status).toBe(201);
    const res = await h.api('POST', '/v1/events', {
      events: [event({ type: 'email_open' }), event({ type: 'web_visit', properties: { url: '/pricing' } })],
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });

    const account = await accountActivity('acme', 2);
    expect(account.activity.byType).toEqual({ email_open: 1, web_visit: 1 });
    const person = await h.api('GET', `/v1/people/${put.body.personId}`);
    expect(person.status).toBe(200);
    expect(person.body.accountKey).toBe('acme');
    expect(person.body.activity).toEqual({ total: 2, byType: { email_open: 1, web_visit: 1 } });
    expect(person.body.identities).toEqual([{ kind: 'email', value: 'ann@acme.example' }]);
  });

  test('the same batch posted twice is stored once and the second answer counts duplicates', async () => {
    await h.api('PUT', '/v1/accounts/globex', { name: 'Globex' });
    const batch = { events: [1, 2, 3].map(() => event({ accountKey: 'globex', person: { email: 'hank@globex.example' } })) };
    expect((await h.api('POST', '/v1/events', batch)).body).toMatchObject({ accepted: 3, duplicates: 0 });
    const again = await h.api('POST', '/v1/events', batch);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 3 });
    await accountActivity('globex', 3);
    // Give a wrongly re-applied batch the time to show, then check nothing moved.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await h.api('GET', '/v1/accounts/globex')).body.activity.total).toBe(3);
  });

  test("an account's batch of events is applied inside the workflow task that takes it, with no activity task of its own", async () => {
    await h.api('PUT', '/v1/accounts/vandelay', { name: 'Vandelay' });
    await h.api('POST', '/v1/events', { events: [event({ accountKey: 'vandelay', person: { email: 'alice@vandelay.example' } })] });
    await accountActivity('vandelay', 1);
    // The batch is written inside the task; its marker is recorded when the task completes, after the
    // write shows. Patch markers from an earlier task are markers too, so wait for a local activity's.
    const events = await eventually(async () => {
      const all = (await h.client.workflow.getHandle('account:vandelay').fetchHistory()).events ?? [];
      return localActivityTypes(all).length ? all : undefined;
    }, { what: 'the batch recorded in the history', explain: () => workflowStory(h.client, 'account:vandelay') });
    expect(localActivityTypes(events)).toEqual(['applyEvents']);
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'applyEvents')).toHaveLength(0);
  });

  test('an email from a company domain joins the account with that domain; a free-mail address joins none', async () => {
    await h.api('PUT', '/v1/accounts/initech', { name: 'Initech', domain: 'initech.example' });
    await h.api('POST', '/v1/events', {
      events: [event({ person: { email: 'peter@initech.example' } }), event({ person: { email: 'milton@gmail.com' } })],
    });
    await accountActivity('initech', 1);
  });
});

describe('bad input', () => {
  test('a batch with one bad event accepts the rest and names the index and field of the bad one', async () => {
    const res = await h.api('POST', '/v1/events', {
      events: [event({ accountKey: 'acme' }), event({ type: 'fax_received' }), event({ accountKey: 'acme' })],
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected).toHaveLength(1);
    expect(res.body.rejected[0].index).toBe(1);
    expect(res.body.rejected[0].details[0].path).toBe('events.1.type');
  });

  test('property keys that a database would read as operators are rejected with their path, not stored', async () => {
    const res = await h.api('POST', '/v1/events', { events: [event({ properties: { page: { $gt: '' } } }), event({ properties: { 'a.b': 1 } })] });
    expect(res.body.accepted).toBe(0);
    expect(res.body.rejected.map((r: { details: { path: string }[] }) => r.details[0].path)).toEqual([
      'events.0.properties.page.$gt',
      'events.1.properties.a.b',
    ]);
  });

  test('a malformed body is a 400 naming the path', async () => {
    const empty = await h.api('POST', '/v1/events', { events: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('validation_error');
    expect(empty.body.error.details[0].path).toBe('events');
    const notJson = await h.api('POST', '/v1/events', '{"events": [');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('validation_error');
    const tooMany = await h.api('POST', '/v1/events', { events: Array.from({ length: 1001 }, () => event()) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0].path).toBe('events');
  });

  test('an unknown account field is a 400 naming it, and nothing is written', async () => {
    const res = await h.api('PUT', '/v1/accounts/umbrella', { name: 'Umbrella', employes: 10 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('employes');
    expect((await h.api('GET', '/v1/accounts/umbrella')).status).toBe(404);
  });

  test('no key is a 401, an unknown key is a 401, and an ingest key may not read profiles', async () => {
    expect((await h.api('POST', '/v1/events', { events: [event()] }, null)).status).toBe(401);
    expect((await h.api('GET', '/v1/accounts/acme', undefined, 'not-a-key')).status).toBe(401);
    const ingest = await h.api('POST', '/v1/api-keys', { role: 'ingest', name: 'website tag' });
    expect(ingest.status).toBe(201);
    const read = await h.api('GET', '/v1/accounts/acme', undefined, ingest.body.key);
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('forbidden');
  });
});
