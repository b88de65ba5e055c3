import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { recordJourneyStep } from '../activities/journey-data';
import { postWebhook } from '../activities/webhook';
import { JourneyInstance } from '../models/journey';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';
import { localActivityTypes } from './support/histories';
import { journeyApi } from './support/journeys';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  for (const [key, name] of [['acme', 'Acme Corp'], ['globex', 'Globex'], ['initech', 'Initech'], ['hooli', 'Hooli']]) {
    await h.api('PUT', `/v1/accounts/${key}`, { name, domain: `${key}.example` });
  }
});
afterAll(() => h?.close());

const { publish, instance, at, finished, launch, steer, outbound } = journeyApi(() => h);

test('an account that downloads the whitepaper takes the event branch; one that does not times out to the other; a dry run gives the same paths', async () => {
  const journey = await publish({
    name: 'Whitepaper follow-up',
    start: 'settle',
    nodes: {
      settle: { type: 'wait', duration: 'PT1S', next: 'await' },
      await: { type: 'waitForEvent', event: 'whitepaper_download', timeout: 'PT5S', next: 'hot', onTimeout: 'cold' },
      hot: { type: 'action', action: 'notifySales', params: { message: 'Acme read the whitepaper' }, next: 'done' },
      cold: { type: 'action', action: 'setAttribute', params: { name: 'retarget', value: true }, next: 'done' },
      done: { type: 'exit' },
    },
  });
  const launchedAt = new Date().toISOString();
  expect(await launch(journey, ['acme', 'globex', 'nowhere'])).toMatchObject({ total: 3, done: 3, started: 2, alreadyRunning: 0, rejected: [{ accountKey: 'nowhere', error: 'unknown account' }] });
  expect(await launch(journey, ['acme', 'globex'])).toMatchObject({ started: 0, alreadyRunning: 2 });

  await at(journey, 'acme', 'await');
  await h.api('POST', '/v1/events', { events: [event({ type: 'whitepaper_download', occurredAt: new Date().toISOString(), person: { email: 'ann@acme.example' } })] });
  const acme = await at(journey, 'acme', 'done', 'completed');
  expect(acme.history.map((s) => s.nodeId)).toEqual(['settle', 'await', 'hot', 'done']);
  expect(acme.history[1].outcome).toMatch(/^whitepaper_download /);
  const globex = await at(journey, 'globex', 'done', 'completed');
  expect(globex.history.map((s) => [s.nodeId, s.outcome])).toEqual([['settle', 'waited'], ['await', 'timed out'], ['cold', 'done'], ['done', 'exit']]);
  expect((await outbound('acme')).map((m) => m.type)).toEqual(['notifySales']);

  // The dry run over the same stored events takes the same paths, and acts on nothing.
  const simulated = (await h.api('POST', `/v1/journeys/${journey}/simulate`, { accountKeys: ['acme', 'globex'], from: launchedAt, to: new Date(Date.now() + 60_000).toISOString() })).body.items;
  const steps = (p: { nodeId: string; outcome?: string }[]) => p.map((s) => [s.nodeId, s.outcome]);
  expect(steps(simulated[0].path)).toEqual(steps(acme.history));
  expect(steps(simulated[1].path)).toEqual(steps(globex.history));
  expect(simulated.map((x: { endNode: string }) => x.endNode)).toEqual(['done', 'done']);
  expect((await h.api('GET', '/v1/accounts/globex')).body.attributes).toMatchObject({ retarget: true });
  expect((await h.api('GET', `/v1/journeys/${journey}/stats`)).body).toMatchObject({ completed: 2, nodes: { hot: { entered: 1 }, cold: { entered: 1 } } });
});

test('a sales notification is queued by the workflow task that reaches its node, with no activity task of its own, once', async () => {
  const journey = await publish({ name: 'Straight to sales', start: 'hot', nodes: { hot: { type: 'action', action: 'notifySales', params: { message: 'Hooli is hot' }, next: 'done' }, done: { type: 'exit' } } });
  await launch(journey, ['hooli']);
  // The projection is written inside the task; its history is complete once the run has closed.
  const run = h.client.workflow.getHandle(`journey:${journey}:hooli`);
  await run.result();
  const events = (await run.fetchHistory()).events ?? [];
  expect(localActivityTypes(events)).toContain('runJourneyAction');
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
  expect((await outbound('hooli')).filter((m) => m.payload.journeyId === journey).map((m) => m.type)).toEqual(['notifySales']);
});

test('a split on buying-group completeness sends a complete account to sales and the other to nurture', async () => {
  await h.api('PUT', '/v1/role-templates/tech', { name: 'Tech', solutionInterest: 'Platform', completeAt: 100, shareWithSales: false, roles: [{ role: 'decision maker', weight: 1, when: { field: 'person.jobTitle', op: 'contains', value: 'CTO' } }] });
  await h.api('PUT', '/v1/people/cto@initech.example', { jobTitle: 'CTO' });
  await h.api('POST', '/v1/buying-groups', { solutionInterest: 'Platform', roleTemplate: 'tech', accountKeys: ['initech', 'hooli'] });
  await eventually(async () => ((await h.api('GET', '/v1/accounts/initech/buying-groups')).body.items[0]?.status === 'complete' ? true : undefined), { what: 'the initech group to complete' });
  const journey = await publish({
    name: 'Route by buying group',
    start: 'route',
    nodes: {
      route: { type: 'split', branches: [{ when: { buyingGroup: { solutionInterest: 'Platform', complete: true } }, next: 'sales' }], otherwise: 'nurture' },
      sales: { type: 'action', action: 'syncToCrm', params: { status: 'SQL' }, next: 'done' },
      nurture: { type: 'wait', duration: 'PT1S', next: 'done' },
      done: { type: 'exit' },
    },
  });
  await launch(journey, ['initech', 'hooli']);
  expect((await at(journey, 'initech', 'done', 'completed')).history.map((s) => s.nodeId)).toEqual(['route', 'sales', 'done']);
  expect((await at(journey, 'hooli', 'done', 'completed')).history.map((s) => s.nodeId)).toEqual(['route', 'nurture', 'done']);
});

test('pausing holds every instance, resuming goes on, stopping exits them all; a stopped journey cannot be paused', async () => {
  const journey = await publish({
    name: 'Slow drip',
    start: 'first',
    nodes: {
      first: { type: 'wait', duration: 'PT2S', next: 'mail' },
      mail: { type: 'action', action: 'sendEmail', params: { template: 'drip-1' }, next: 'second' },
      second: { type: 'wait', duration: 'PT1H', next: 'done' },
      done: { type: 'exit' },
    },
  });
  await launch(journey, ['acme', 'globex']);
  await at(journey, 'acme', 'first');
  expect(await steer(journey, 'pause')).toMatchObject({ kind: 'pause', total: 2, signalled: 2 });
  await at(journey, 'acme', 'mail', 'paused');
  await at(journey, 'globex', 'mail', 'paused');
  expect((await outbound('acme')).filter((m) => m.payload.nodeId === 'mail')).toEqual([]);

  await steer(journey, 'resume');
  await at(journey, 'acme', 'second');
  await at(journey, 'globex', 'second');
  expect((await outbound('acme')).filter((m) => m.payload.nodeId === 'mail')).toHaveLength(1);

  await steer(journey, 'stop');
  await at(journey, 'acme', 'second', 'stopped');
  await at(journey, 'globex', 'second', 'stopped');
  expect((await h.api('POST', `/v1/journeys/${journey}/pause`)).status).toBe(409);
});

describe('a webhook', () => {
  let server: Server;
  const received: { key: string; signature: string; body: string }[] = [];
  let failuresLeft = 2;
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ key: String(req.headers['idempotency-key']), signature: String(req.headers['x-signature']), body });
        res.statusCode = failuresLeft-- > 0 ? 503 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('that fails twice and then succeeds is delivered with one idempotency key and a valid signature', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const journey = await publish({
      name: 'Tell the CRM',
      start: 'call',
      nodes: { call: { type: 'action', action: 'webhook', params: { url, body: { campaign: 'seeds' } }, next: 'done' }, done: { type: 'exit' } },
    });
    await launch(journey, ['initech']);
    await at(journey, 'initech', 'done', 'completed');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.key)).size).toBe(1);
    const hmac = createHmac('sha256', h.config.JOURNEY_WEBHOOK_SECRET).update(received[2].body).digest('hex');
    expect(received[2].signature).toBe(`sha256=${hmac}`);
    expect(JSON.parse(received[2].body)).toEqual({ journeyId: journey, version: 1, accountKey: 'initech', nodeId: 'call', body: { campaign: 'seeds' } });
  });
});

test('with private targets off (as in docker-compose), a webhook to a loopback or private address is refused before any request', async () => {
  const call = { idempotencyKey: 'k', payload: {}, secret: 'x'.repeat(16), allowPrivate: false };
  await expect(postWebhook({ ...call, url: 'http://127.0.0.1:9/hook' })).rejects.toMatchObject({ type: 'WebhookRefused', nonRetryable: true });
  await expect(postWebhook({ ...call, url: 'http://10.1.2.3/hook' })).rejects.toMatchObject({ type: 'WebhookRefused' });
  await expect(postWebhook({ ...call, url: 'http://[::1]/hook' })).rejects.toMatchObject({ type: 'WebhookRefused' });
  await expect(postWebhook({ ...call, url: 'https://user:secret@example.com/hook' })).rejects.toMatchObject({ type: 'WebhookRefused' });
});

test('an account that submits a form enters the journey that starts on form submissions', async () => {
  const created = await h.api('POST', '/v1/journeys', { name: 'Form follow-up', entry: { event: 'form_submit' }, start: 'done', nodes: { done: { type: 'exit' } } });
  await h.api('POST', `/v1/journeys/${created.body.id}/publish`);
  await h.api('POST', '/v1/events', { events: [event({ type: 'form_submit', occurredAt: new Date().toISOString(), person: { email: 'fred@globex.example' } })] });
  await at(created.body.id, 'globex', 'done', 'completed');
});

test('an account that enters the entry segment later joins the journey within seconds', async () => {
  const segment = (await h.api('POST', '/v1/segments', { name: 'Fintech accounts', level: 'account', definition: { field: 'account.industry', op: 'eq', value: 'Fintech' } })).body.id;
  const created = await h.api('POST', '/v1/journeys', { name: 'Fintech welcome', entry: { segmentId: segment }, start: 'done', nodes: { done: { type: 'exit' } } });
  await h.api('POST', `/v1/journeys/${created.body.id}/publish`);
  await h.api('PUT', '/v1/accounts/initech', { name: 'Initech', domain: 'initech.example', industry: 'Fintech' });
  await at(created.body.id, 'initech', 'done', 'completed');
  expect(await instance(created.body.id, 'acme')).toBeUndefined();
});

test('publishing version 2 leaves running instances on version 1, and a migration moves them to version 2 at the mapped node', async () => {
  const v1 = { name: 'Versioned', start: 'hold', nodes: { hold: { type: 'wait', duration: 'PT1H', next: 'done' }, done: { type: 'exit' } } };
  const journey = await publish(v1);
  await launch(journey, ['acme']);
  await at(journey, 'acme', 'hold');
  await h.api('PUT', `/v1/journeys/${journey}`, { ...v1, entry: { manual: true }, nodes: { ...v1.nodes, hold: { type: 'wait', duration: 'PT1S', next: 'done' } } });
  expect((await h.api('POST', `/v1/journeys/${journey}/publish`)).body).toEqual({ version: 2 });
  const j = (await h.api('GET', `/v1/journeys/${journey}`)).body;
  expect(j.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  expect((await h.api('GET', `/v1/journeys/${journey}/instances?accountKey=acme`)).body.items[0]).toMatchObject({ version: 1, nodeId: 'hold', status: 'waiting' });

  expect((await h.api('POST', `/v1/journeys/${journey}/migrate`, { fromVersion: 1, toVersion: 2, nodeMap: { hold: 'nowhere' } })).body.error.details).toEqual([{ path: 'nodeMap.hold', message: "version 2 has no node 'nowhere'" }]);
  expect(await finished(journey, await h.api('POST', `/v1/journeys/${journey}/migrate`, { fromVersion: 1, toVersion: 2, nodeMap: { hold: 'hold' } }))).toMatchObject({ migrated: 1, skipped: [] });
  // On version 2 the hold is one second: the instance finishes there.
  const done = await at(journey, 'acme', 'done', 'completed');
  expect(done.history.map((s) => s.outcome)).toEqual(['migrated to v2 at hold', 'waited', 'exit']);
});

describe('journeys that cannot run are refused, naming the node', () => {
  const refuse = async (nodes: Record<string, unknown>, start: string, path: string) => {
    const res = await h.api('POST', '/v1/journeys', { name: 'Broken', entry: { manual: true }, start, nodes });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  };
  test('a next node that does not exist', () => refuse({ a: { type: 'wait', duration: 'PT1S', next: 'b' } }, 'a', 'nodes.a'));
  test('a node nothing leads to', () => refuse({ a: { type: 'exit' }, b: { type: 'exit' } }, 'a', 'nodes.b'));
  test('a cycle without a wait', () =>
    refuse({ a: { type: 'split', branches: [{ when: { field: 'account.tier', op: 'eq', value: 'A' }, next: 'b' }], otherwise: 'c' }, b: { type: 'action', action: 'notifySales', params: { message: 'x' }, next: 'a' }, c: { type: 'exit' } }, 'a', 'nodes.a'));
  test('a webhook to a non-http URL', () => refuse({ a: { type: 'action', action: 'webhook', params: { url: 'file:///etc/passwd' }, next: 'b' }, b: { type: 'exit' } }, 'a', 'nodes.a.params.url'));
  test('launching a draft', async () => {
    const created = await h.api('POST', '/v1/journeys', { name: 'Draft', entry: { manual: true }, start: 'a', nodes: { a: { type: 'exit' } } });
    expect((await h.api('POST', `/v1/journeys/${created.body.id}/launch`, { accountKeys: ['acme'] })).status).toBe(409);
  });
});

describe("an instance's recorded path", () => {
  const stepAt = (i: number, second = i) => ({ nodeId: `n${i}`, at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(), outcome: 'done' });
  const record = (workflowId: string, i: number, opts: { runId?: string; second?: number; numbered?: boolean } = {}) =>
    recordJourneyStep({
      workflowId, journeyId: 'jny_path', version: 1, accountKey: 'acme', nodeId: `n${i + 1}`, status: 'running',
      step: stepAt(i, opts.second),
      ...(opts.numbered === false ? {} : { place: { runId: opts.runId ?? 'run-1', n: i + 1 } }),
    });
  const path = async (workflowId: string) => ((await JourneyInstance.findOne({ _id: workflowId }).lean())!.history as { nodeId: string }[]).map((s) => s.nodeId);

  test('shows each step once when the workflow task that recorded two steps is retried with a later clock', async () => {
    await record('path-retried', 0);
    await record('path-retried', 1);
    await record('path-retried', 2);
    // The retried task: the same steps at the same places, the time read again.
    await record('path-retried', 1, { second: 41 });
    await record('path-retried', 2, { second: 42 });
    expect(await path('path-retried')).toEqual(['n0', 'n1', 'n2']);
    expect((await JourneyInstance.findOne({ _id: 'path-retried' }).lean())?.nodeId).toBe('n3');
    // The next run (a continue-as-new, or the account entering again) numbers its steps afresh.
    await record('path-retried', 0, { runId: 'run-2' });
    expect(await path('path-retried')).toEqual(['n0', 'n1', 'n2', 'n0']);
  });

  test('shows a step once when a retried call from a workflow that started before steps were numbered records it again', async () => {
    await record('path-unnumbered', 0, { numbered: false });
    await record('path-unnumbered', 1, { numbered: false });
    await record('path-unnumbered', 1, { numbered: false });
    expect(await path('path-unnumbered')).toEqual(['n0', 'n1']);
  });

  test('keeps the latest steps of a long-running instance, at most 150 of them', async () => {
    for (let i = 0; i < 160; i++) await record('path-long', i, { second: 0 });
    const steps = await path('path-long');
    expect(steps.length).toBeLessThanOrEqual(150);
    expect(steps.length).toBeGreaterThanOrEqual(100);
    expect(steps.map((s) => Number(s.slice(1)))).toEqual(Array.from({ length: steps.length }, (_, k) => 160 - steps.length + k));
  });
});
