import { event } from './support/events';
import { ADMIN_KEY, eventually, Harness, startHarness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

async function newKey(role: string, extra: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  return (await h.api('POST', '/v1/api-keys', { role, name: `${role} key`, ...extra })).body;
}

async function rawPost(path: string, body: string, contentType: string, key = ADMIN_KEY) {
  const res = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as any };
}

describe('text the database cannot store is refused, naming the field', () => {
  test('a NUL character in an account name is a 400 naming name, and no account is written', async () => {
    const res = await h.api('PUT', '/v1/accounts/nul-co', { name: 'Nul\u0000 Co' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'name', message: 'text may not contain NUL characters' }]);
    expect((await h.api('GET', '/v1/accounts/nul-co')).status).toBe(404);
  });

  test("a NUL character in a person's job title is a 400 naming jobTitle", async () => {
    const res = await h.api('PUT', '/v1/people/nul.title@nul.example', { jobTitle: 'VP\u0000Sales' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('jobTitle');
  });

  test('an unpaired surrogate in a trait name is a 400 naming the traits object', async () => {
    const res = await h.api('POST', '/v1/identify', { person: { email: 'lone@surrogate.example' }, traits: { 'plan\ud800': 'pro' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'traits', message: expect.stringContaining('unpaired UTF-16 surrogates') });
  });

  test('an unpaired surrogate in a free-form attribute value is a 400 naming its path', async () => {
    const res = await h.api('PUT', '/v1/accounts/surrogate-co', { name: 'Surrogate Co', attributes: { region: { name: 'EU\udc00' } } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('attributes.region.name');
    expect((await h.api('GET', '/v1/accounts/surrogate-co')).status).toBe(404);
  });

  test('a NUL character in a query parameter is a 400 naming it', async () => {
    const res = await h.api('GET', '/v1/segments?cursor=a%00b');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.cursor');
  });

  test('in a batch of events only the one carrying a NUL character is rejected, named by its field', async () => {
    const good = event({ person: { email: 'batch.good@nul.example' } });
    const bad = event({ eventId: 'evt-with-\u0000-nul', person: { email: 'batch.bad@nul.example' } });
    const res = await h.api('POST', '/v1/events', { events: [good, bad] });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected).toEqual([expect.objectContaining({ index: 1, details: [{ path: 'events.1.eventId', message: 'text may not contain NUL characters' }] })]);
  });

  test('an import file with a NUL character is refused as a whole, naming its line', async () => {
    const file = ['{"accountKey":"imp-ok","name":"Fine"}', '{"accountKey":"imp-nul","name":"Bad\u0000"}'].join('\n');
    const res = await rawPost('/v1/imports?kind=accounts', file, 'application/x-ndjson');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'body', message: 'text may not contain NUL characters (line 2)' }]);
  });
});

describe('a source (ingest key) feeds data but does not decide what sales see', () => {
  test('an ingest key may not hand an account to a sales rep, and the owner stays', async () => {
    await h.api('PUT', '/v1/accounts/owned', { name: 'Owned Co', ownerId: 'rep-1' });
    const ingest = await newKey('ingest');
    const res = await h.api('PUT', '/v1/accounts/owned', { name: 'Owned Co', ownerId: 'rep-2' }, ingest.key);
    expect(res.status).toBe(403);
    expect(res.body.error.details[0].path).toBe('ownerId');
    expect((await h.api('GET', '/v1/accounts/owned')).body.owner).toBe('rep-1');
  });

  test('an ingest key may not give a new account an owner, but may update an account repeating its owner', async () => {
    const ingest = await newKey('ingest');
    const created = await h.api('PUT', '/v1/accounts/fresh-owned', { name: 'Fresh Co', ownerId: 'rep-2' }, ingest.key);
    expect(created.status).toBe(403);
    expect((await h.api('GET', '/v1/accounts/fresh-owned')).status).toBe(404);
    await h.api('PUT', '/v1/accounts/kept-owner', { name: 'Kept Co', ownerId: 'rep-1' });
    expect((await h.api('PUT', '/v1/accounts/kept-owner', { name: 'Kept Co Ltd', ownerId: 'rep-1', industry: 'Seeds' }, ingest.key)).status).toBe(200);
  });

  test('an ingest key may link a person without an account but may not move a linked person to another account', async () => {
    await h.api('PUT', '/v1/accounts/home', { name: 'Home Co', ownerId: 'rep-1' });
    await h.api('PUT', '/v1/accounts/elsewhere', { name: 'Elsewhere Co', ownerId: 'rep-2' });
    const ingest = await newKey('ingest');
    const linked = await h.api('PUT', '/v1/people/first.link@free.example', { firstName: 'Fay', accountKey: 'home' }, ingest.key);
    expect(linked.status).toBe(201);

    const moved = await h.api('PUT', '/v1/people/first.link@free.example', { accountKey: 'elsewhere' }, ingest.key);
    expect(moved.status).toBe(403);
    expect(moved.body.error.details[0].path).toBe('accountKey');
    const identified = await h.api('POST', '/v1/identify', { person: { email: 'first.link@free.example' }, accountKey: 'elsewhere' }, ingest.key);
    expect(identified.status).toBe(403);
    expect(identified.body.error.details[0].path).toBe('accountKey');
    expect((await h.api('GET', `/v1/people/${linked.body.personId}`)).body.accountKey).toBe('home');

    // Basic fields stay the source's to update.
    expect((await h.api('PUT', '/v1/people/first.link@free.example', { jobTitle: 'CTO', accountKey: 'home' }, ingest.key)).status).toBe(200);
    expect((await h.api('PUT', '/v1/people/first.link@free.example', { accountKey: 'elsewhere' })).status).toBe(200);
  });

  test("an ingest key's import cannot change owners or move people: those rows are refused, naming the field", async () => {
    await h.api('PUT', '/v1/accounts/imp-owned', { name: 'Imported Owned', ownerId: 'rep-1' });
    await h.api('PUT', '/v1/people/imp.person@free.example', { accountKey: 'imp-owned' });
    const ingest = await newKey('ingest');
    const accounts = ['{"accountKey":"imp-owned","name":"Imported Owned","ownerId":"rep-2"}', '{"accountKey":"imp-plain","name":"Plain"}'].join('\n');
    const people = ['{"email":"imp.person@free.example","accountKey":"home"}', '{"email":"imp.new@free.example","accountKey":"imp-plain"}'].join('\n');
    const finished = async (importId: string) =>
      eventually(async () => {
        const res = await h.api('GET', `/v1/imports/${importId}`);
        return res.body.status === 'completed' ? res.body : undefined;
      });
    const a = await finished((await rawPost('/v1/imports?kind=accounts', accounts, 'application/x-ndjson', ingest.key)).body.importId);
    expect(a).toMatchObject({ done: 1, failed: 1, errors: [expect.objectContaining({ row: 1, field: 'ownerId' })] });
    const p = await finished((await rawPost('/v1/imports?kind=people', people, 'application/x-ndjson', ingest.key)).body.importId);
    expect(p).toMatchObject({ done: 1, failed: 1, errors: [expect.objectContaining({ row: 1, field: 'accountKey' })] });
    expect((await h.api('GET', '/v1/accounts/imp-owned')).body.owner).toBe('rep-1');
  });
});
