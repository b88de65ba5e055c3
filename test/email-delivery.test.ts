import { freePort } from '../scripts/stack/ports';
import { startCatchingRelay } from './support/catching-relay';
import { eventually, Harness, startHarness } from './support/harness';
import { journeyApi } from './support/journeys';
import { startWorkerProcess } from './support/worker-process';

// The relay of this file is one the tests stop, start and hold; retries are quick so an outage is seconds long.
let h: Harness;
let relayPort: number;
beforeAll(async () => {
  relayPort = await freePort();
  h = await startHarness({ SMTP_URL: `smtp://127.0.0.1:${relayPort}`, EMAIL_MAX_ATTEMPTS: '5', EMAIL_RETRY_INITIAL_SECONDS: '0.5' });
  await h.api('PUT', '/v1/email-templates/notice', { name: 'Notice', kind: 'operational', subject: 'Your account', html: '<p>Hello {{ person.firstName | default: "there" }}</p>' });
  for (const key of ['acme', 'globex', 'initech']) {
    await h.api('PUT', `/v1/accounts/${key}`, { name: key, domain: `${key}.example` });
    await h.api('PUT', `/v1/people/pat@${key}.example`, { firstName: 'Pat', accountKey: key });
  }
});
afterAll(() => h?.close());

const { publish, launch } = journeyApi(() => h);
type Message = { id: string; status: string; attempts: { ok: boolean; error?: string }[] };
const messageAt = async (accountKey: string) => ((await h.api('GET', `/v1/outbound-messages?accountKey=${accountKey}&channel=email`)).body.items as Message[])[0];
const settledAt = (accountKey: string, status: string, timeoutMs = 30_000) =>
  eventually(async () => ((await messageAt(accountKey))?.status === status ? messageAt(accountKey) : undefined), { what: `${accountKey}'s email ${status}`, timeoutMs });
async function emailAccount(accountKey: string) {
  const journey = await publish({ name: `Notice to ${accountKey}`, start: 'mail', nodes: { mail: { type: 'action', action: 'sendEmail', params: { template: 'notice' }, next: 'done' }, done: { type: 'exit' } } });
  await launch(journey, [accountKey]);
}

test('with the SMTP relay down, an email waits and retries, and arrives once when the relay is back', async () => {
  await emailAccount('acme');
  await eventually(async () => ((await messageAt('acme'))?.attempts.length ? true : undefined), { what: 'a failed attempt' });
  const relay = await startCatchingRelay({ port: relayPort });
  try {
    const sent = (await settledAt('acme', 'sent', 60_000))!;
    expect(sent.attempts.filter((a) => !a.ok).length).toBeGreaterThanOrEqual(1);
    expect(sent.attempts.filter((a) => a.ok)).toHaveLength(1);
    expect(relay.caught.filter((c) => c.to.includes('pat@acme.example'))).toHaveLength(1);
  } finally {
    await relay.close();
  }
}, 90_000);

test('an email whose retries are spent is dead, and a re-drive sends it under the same id, once', async () => {
  await emailAccount('globex');
  const dead = (await settledAt('globex', 'dead', 90_000))!;
  expect(dead.attempts).toHaveLength(5);
  expect((await h.api('POST', `/v1/outbound-messages/${encodeURIComponent(dead.id)}/retry`)).status).toBe(202);
  expect((await h.api('POST', `/v1/outbound-messages/${encodeURIComponent(dead.id)}/retry`)).status).toBe(409);
  const relay = await startCatchingRelay({ port: relayPort });
  try {
    const sent = (await settledAt('globex', 'sent', 60_000))!;
    expect(sent.id).toBe(dead.id);
    expect(relay.caught.filter((c) => c.to.includes('pat@globex.example'))).toHaveLength(1);
  } finally {
    await relay.close();
  }
}, 150_000);

test('a worker killed (SIGKILL) while the relay holds its send open: the next worker sends again and exactly one copy arrives', async () => {
  const relay = await startCatchingRelay({ port: relayPort, holdFirst: true });
  await h.stopWorker();
  let worker = await startWorkerProcess(h.config);
  try {
    await emailAccount('initech');
    await eventually(async () => (relay.state.holding ? true : undefined), { what: 'the send held open' });
    await worker.kill();
    await eventually(async () => (relay.state.hungUp ? true : undefined), { what: 'the killed sender to hang up' });
    worker = await startWorkerProcess(h.config);
    await settledAt('initech', 'sent', 90_000);
  } finally {
    await worker.kill();
    await h.startWorker();
    await relay.close();
  }
  const copies = relay.caught.filter((c) => c.to.includes('pat@initech.example'));
  expect(copies).toHaveLength(1);
}, 150_000);
