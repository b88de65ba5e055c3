import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook } from '../activities/webhook';
import { createApp } from '../api/app';
import { findKeyByHash, KeyResolver } from '../api/auth';
import { createLogger, type Logger } from '../lib/logger';
import { bannerLines } from '../scripts/stack/banner';
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

/** A second API process on the same database and task queue, for settings the file's own API does not have. */
async function withApp(opts: { logger?: Logger; rateLimitPerMinute?: number }, use: (url: string) => Promise<void>): Promise<void> {
  const app = createApp({ temporal: h.client, delivery: h.delivery, logger: opts.logger ?? createLogger(undefined, 'silent'), rateLimitPerMinute: opts.rateLimitPerMinute });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
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

  test("a NUL character in a key of the batch's envelope is a 400, though the batch is otherwise read event by event", async () => {
    const res = await h.api('POST', '/v1/events', { events: [event({ person: { email: 'envelope@nul.example' } })], ['note\u0000']: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toContain('text may not contain NUL characters');
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

describe('an operator sees personal data masked everywhere', () => {
  test('every identifier, name, title and free-form attribute of a profile is masked for an operator', async () => {
    const { personId } = (
      await h.api('POST', '/v1/identify', {
        person: { email: 'olga.fischer@masked.example', crmId: 'CRM-778', leadId: 'L-42', anonymousId: 'anon-9f3' },
        traits: { firstName: 'Olga', lastName: 'Fischer', jobTitle: 'Head of Procurement', department: 'Finance', seniority: 'director', phone: '+49 30 1234', address: { city: 'Berlin' } },
      })
    ).body;
    const operator = await newKey('operator');
    const res = await h.api('GET', `/v1/people/${personId}`, undefined, operator.key);
    expect(res.status).toBe(200);
    expect(res.body.masked).toBe(true);
    expect(res.body.identities).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'o***@masked.example' },
        { kind: 'crmId', value: '***' },
        { kind: 'leadId', value: '***' },
        { kind: 'anonymousId', value: '***' },
      ]),
    );
    expect(res.body.attributes).toEqual({
      email: 'o***@masked.example',
      firstName: 'O***',
      lastName: 'F***',
      jobTitle: 'H***',
      department: 'F***',
      seniority: 'd***',
      phone: '***',
      address: { city: '***' },
    });
    const text = JSON.stringify(res.body);
    for (const secret of ['olga.fischer', 'CRM-778', 'L-42', 'anon-9f3', 'Procurement', 'Berlin', '1234']) expect(text).not.toContain(secret);
    // The same profile read by a marketer is whole.
    expect((await h.api('GET', `/v1/people/${personId}`)).body.attributes).toMatchObject({ jobTitle: 'Head of Procurement', address: { city: 'Berlin' } });
  });

  test("an operator reads a person's timeline with event properties masked", async () => {
    const occurredAt = new Date().toISOString();
    await h.api('POST', '/v1/events', { events: [event({ type: 'form_submit', occurredAt, person: { email: 'tim.line@masked.example' }, properties: { phone: '+1 555 0100', form: 'demo' } })] });
    const person = await eventually(async () => {
      const identified = await h.api('POST', '/v1/identify', { person: { email: 'tim.line@masked.example' } });
      const timeline = await h.api('GET', `/v1/people/${identified.body.personId}/timeline`);
      return timeline.body.items?.length === 1 ? identified.body.personId : undefined;
    });
    const operator = await newKey('operator');
    const res = await h.api('GET', `/v1/people/${person}/timeline`, undefined, operator.key);
    expect(res.body.items).toEqual([expect.objectContaining({ type: 'form_submit', properties: { phone: '***', form: '***' } })]);
  });
});

describe('every export of personal data is audited', () => {
  test('exporting the people of incomplete buying groups is in the audit log with who did it', async () => {
    const marketer = await newKey('marketer');
    const res = await fetch(`${h.baseUrl}/v1/buying-groups/export?solutionInterest=Audited%20Interest&format=csv`, { headers: { authorization: `Bearer ${marketer.key}` } });
    expect(res.status).toBe(200);
    await res.text();
    const log = (await h.api('GET', '/v1/audit-log?limit=500')).body.items as { keyId: string; action: string; resource: string }[];
    expect(log).toContainEqual(expect.objectContaining({ keyId: marketer.id, action: 'export', resource: 'buying-groups:Audited Interest' }));
  });

  test("reading a person's score is in the audit log", async () => {
    const { personId } = (await h.api('PUT', '/v1/people/scored@audit.example', { firstName: 'Sid' })).body;
    const operator = await newKey('operator');
    expect((await h.api('GET', `/v1/people/${personId}/score`, undefined, operator.key)).status).toBe(200);
    const log = (await h.api('GET', '/v1/audit-log?limit=500')).body.items as { keyId: string; resource: string }[];
    expect(log).toContainEqual(expect.objectContaining({ keyId: operator.id, resource: `person:${personId}:score` }));
  });
});

describe('profiles show the journeys and buying groups they are part of', () => {
  test("an account's profile lists its journeys and a person's profile her buying groups and her account's journeys, within the sales rep's own accounts", async () => {
    await h.api('PUT', '/v1/accounts/profiled', { name: 'Profiled Co', ownerId: 'rep-7' });
    await h.api('PUT', '/v1/accounts/not-profiled', { name: 'Other Co', ownerId: 'rep-8' });
    const { personId } = (await h.api('PUT', '/v1/people/cto@profiled.example', { jobTitle: 'CTO', accountKey: 'profiled' })).body;
    await h.api('PUT', '/v1/role-templates/profiled-tech', { name: 'Tech', solutionInterest: 'Profiled Platform', completeAt: 100, roles: [{ role: 'decision maker', weight: 1, when: { field: 'person.jobTitle', op: 'contains', value: 'CTO' } }] });
    await h.api('POST', '/v1/buying-groups', { solutionInterest: 'Profiled Platform', roleTemplate: 'profiled-tech', accountKeys: ['profiled'] });
    const journey = (await h.api('POST', '/v1/journeys', { name: 'Profiled wait', entry: { manual: true }, start: 'hold', nodes: { hold: { type: 'wait', duration: 'P30D', next: 'done' }, done: { type: 'exit' } } })).body.id;
    await h.api('POST', `/v1/journeys/${journey}/publish`);
    expect((await h.api('POST', `/v1/journeys/${journey}/launch`, { accountKeys: ['profiled'] })).status).toBe(202);

    const sales = await newKey('sales', { ownerId: 'rep-7' });
    const account = await eventually(async () => {
      const res = await h.api('GET', '/v1/accounts/profiled', undefined, sales.key);
      return res.body.journeys?.[0]?.status === 'waiting' ? res.body : undefined;
    }, { what: 'the journey on the account profile' });
    expect(account.journeys).toEqual([{ journeyId: journey, version: 1, nodeId: 'hold', status: 'waiting', updatedAt: expect.any(String) }]);

    const person = await eventually(async () => {
      const res = await h.api('GET', `/v1/people/${personId}`, undefined, sales.key);
      return res.body.buyingGroups?.length ? res.body : undefined;
    }, { what: 'the buying group on the person profile' });
    expect(person.buyingGroups).toEqual([
      { id: 'bg:profiled:profiled-tech', name: 'Profiled Co Profiled Platform Buying Group', solutionInterest: 'Profiled Platform', role: 'decision maker', manual: false, status: expect.any(String) },
    ]);
    expect(person.journeys).toEqual(account.journeys);

    const otherRep = await newKey('sales', { ownerId: 'rep-8' });
    expect((await h.api('GET', `/v1/people/${personId}`, undefined, otherRep.key)).status).toBe(403);
    expect((await h.api('GET', '/v1/accounts/profiled', undefined, otherRep.key)).status).toBe(403);
  });
});

describe('logs never hold an email or a secret', () => {
  test('a request addressing a person by email is logged with the email masked and without the API key', async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line: string) => void lines.push(line) }, 'info');
    await withApp({ logger }, async (url) => {
      const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
      expect((await fetch(`${url}/v1/people/ann.logged%40acme.example`, { method: 'PUT', headers, body: JSON.stringify({ firstName: 'Ann' }) })).status).toBe(201);
      expect((await fetch(`${url}/v1/segments?cursor=bob.logged@acme.example`, { headers })).status).toBe(200);
    });
    logger.error({ err: new Error('E11000 duplicate key: { _id: "email:carl.logged@acme.example" }') }, 'write failed');
    const log = lines.join('');
    expect(log).toContain('/v1/people/[email]');
    expect(log).toContain('write failed');
    for (const leak of ['ann.logged', 'bob.logged', 'carl.logged', ADMIN_KEY]) expect(log).not.toContain(leak);
  });

  test('the start banner prints only the built-in development admin key and never a database or mail relay password', () => {
    const facts = { apiUrl: 'http://127.0.0.1:3000', temporalAddress: '127.0.0.1:7233', embeddedMongo: false, smtpUrl: 'smtps://mailer:r3lay-pw@smtp.relay.test:465', logDir: '.data/logs' };
    const own = bannerLines({ ...facts, mongoUrl: 'mongodb://app:s3cr3t-pw@db1:27017,db2:27017/b2b?replicaSet=rs0', adminKey: 'my-own-admin-key' }).join('\n');
    expect(own).not.toContain('my-own-admin-key');
    expect(own).not.toContain('s3cr3t-pw');
    expect(own).toContain('mongodb://app:***@db1:27017,db2:27017/b2b?replicaSet=rs0');
    expect(own).not.toContain('r3lay-pw');
    expect(own).toContain('smtps://mailer:***@smtp.relay.test:465');
    const dev = bannerLines({ ...facts, mongoUrl: 'mongodb://127.0.0.1:27017/b2b', adminKey: 'dev-admin-key', smtpUrl: 'smtp://127.0.0.1:1025', mailUiUrl: 'http://127.0.0.1:1080' }).join('\n');
    expect(dev).toContain('Admin key    dev-admin-key');
    expect(dev).toContain('Mail UI      http://127.0.0.1:1080');
    expect(dev).toContain('mongodb://127.0.0.1:27017/b2b');
  });
});

describe('the API protects itself', () => {
  test('a key over its requests per minute gets 429 with Retry-After, while another key goes on', async () => {
    const busy = await newKey('marketer');
    const other = await newKey('marketer');
    await withApp({ rateLimitPerMinute: 3 }, async (url) => {
      const get = (key: string) => fetch(`${url}/v1/segments`, { headers: { authorization: `Bearer ${key}` } });
      for (let i = 0; i < 3; i++) expect((await get(busy.key)).status).toBe(200);
      const refused = await get(busy.key);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as any).error.code).toBe('rate_limited');
      expect((await get(other.key)).status).toBe(200);
    });
  });

  test('a request without a valid key is refused before its body is read, however malformed or large', async () => {
    const post = (body: string, key: string) => rawPost('/v1/events', body, 'application/json', key);
    expect((await post('{"events": [', 'not-a-key')).status).toBe(401);
    expect((await post(`{"events": [], "pad": "${'x'.repeat(6 * 1024 * 1024)}"}`, 'not-a-key')).status).toBe(401);
    // With a valid key the same bodies are read and refused for what they are.
    expect((await post('{"events": [', ADMIN_KEY)).status).toBe(400);
  });

  test('a flood of unknown keys does not push a valid key out of the key cache', async () => {
    const valid = await newKey('ingest');
    const lookups: string[] = [];
    const resolver = new KeyResolver(async (hash) => {
      lookups.push(hash);
      return findKeyByHash(hash);
    });
    expect(await resolver.resolve(valid.key)).toMatchObject({ keyId: valid.id });
    for (let i = 0; i < 1200; i++) expect(await resolver.resolve(`unknown-key-${i}`)).toBeNull();
    expect(lookups).toHaveLength(1201);
    lookups.length = 0;
    expect(await resolver.resolve(valid.key)).toMatchObject({ keyId: valid.id, role: 'ingest' });
    expect(lookups).toEqual([]);
  });
});

describe('journey webhooks cannot be pointed into our own network', () => {
  const call = { idempotencyKey: 'visit-1', payload: { hello: 'world' }, secret: 'x'.repeat(16), allowPrivate: false };

  test('a hostname that resolves to loopback is refused before any request', async () => {
    await expect(postWebhook({ ...call, url: 'http://localhost:9/hook' })).rejects.toMatchObject({ type: 'WebhookRefused', nonRetryable: true });
  });

  test.each([
    ['an IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['an IPv4-mapped IPv6 private address', 'http://[::ffff:10.0.0.1]/hook'],
    ['a NAT64 address', 'http://[64:ff9b::a00:1]/hook'],
    ['a benchmarking address', 'http://198.18.0.1/hook'],
    ['an IPv4 multicast address', 'http://224.0.0.1/hook'],
    ['an IPv6 multicast address', 'http://[ff02::1]/hook'],
    ['a reserved IPv4 address', 'http://240.0.0.1/hook'],
    ['the broadcast address', 'http://255.255.255.255/hook'],
  ])('%s is refused', async (_what, url) => {
    await expect(postWebhook({ ...call, url })).rejects.toMatchObject({ type: 'WebhookRefused' });
  });

  test('a webhook connects to the very address its hostname resolved to when checked, with the hostname kept in the Host header', async () => {
    const received: { host?: string; signature?: string }[] = [];
    const server = createServer((req, res) => {
      received.push({ host: req.headers.host, signature: req.headers['x-signature'] as string });
      req.resume();
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // The name exists only for this resolver: a second lookup by the system would not find it.
    const lookups: string[] = [];
    const resolve = async (hostname: string) => {
      lookups.push(hostname);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    try {
      const res = await postWebhook({ ...call, allowPrivate: true, url: `http://hooks.pinned.invalid:${port}/hook` }, resolve);
      expect(res.status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(lookups).toEqual(['hooks.pinned.invalid']);
    expect(received).toEqual([{ host: `hooks.pinned.invalid:${port}`, signature: expect.stringMatching(/^sha256=[0-9a-f]{64}$/) }]);
  });
});
