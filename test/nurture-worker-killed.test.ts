import { outboundIdOf } from '../domain/email/message-id';
import { freePort } from '../scripts/stack/ports';
import { startCatchingRelay } from './support/catching-relay';
import { startRefusingRelay } from './support/refusing-relay';
import { eventually, Harness, startHarness } from './support/harness';
import { startWorkerProcess } from './support/worker-process';

// Mail goes to a relay this file holds and lets go; retries are quick.
let h: Harness;
let relayPort: number;
beforeAll(async () => {
  relayPort = await freePort();
  h = await startHarness({ SMTP_URL: `smtp://127.0.0.1:${relayPort}`, EMAIL_RETRY_INITIAL_SECONDS: '0.5' });
  await h.api('PUT', '/v1/subscription-topics/erp', { name: 'Cloud ERP' });
  for (const id of ['K1', 'K2', 'K3']) await h.api('PUT', `/v1/email-templates/killed-${id.toLowerCase()}`, { name: id, kind: 'marketing', topic: 'erp', subject: id, html: `<p>${id}</p>` });
});
afterAll(() => h?.close());

/** A person on an active stream of three campaigns cast a second apart; returns the person's id. */
async function enrolledOnThreeCampaigns(email: string, firstName: string, streamName: string): Promise<string> {
  await h.api('PUT', `/v1/people/${email}`, { firstName });
  const personId = (await h.api('POST', '/v1/identify', { person: { email } })).body.personId;
  const stages = [{ name: 'Only', campaigns: ['K1', 'K2', 'K3'].map((id) => ({ id, template: `killed-${id.toLowerCase()}` })) }];
  const stream = (await h.api('POST', '/v1/nurture-streams', { name: streamName, cadence: { every: 'PT1S' }, stages })).body.id;
  await h.api('POST', `/v1/nurture-streams/${stream}/activate`);
  await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: [personId] });
  return personId;
}

test('a worker killed (SIGKILL) while a cast is being sent: the next worker sends it again, and each campaign of the stream arrives once, in order', async () => {
  const relay = await startCatchingRelay({ port: relayPort, holdFirst: true });
  await h.stopWorker();
  let worker = await startWorkerProcess(h.config);
  try {
    await enrolledOnThreeCampaigns('kim@killed.example', 'Kim', 'Survives a crash');

    await eventually(async () => (relay.state.holding ? true : undefined), { what: 'the first cast held open by the relay' });
    await worker.kill();
    await eventually(async () => (relay.state.hungUp ? true : undefined), { what: 'the killed sender to hang up' });
    worker = await startWorkerProcess(h.config);
    // The held batch is retried once its heartbeat times out (a minute); the next casts wait for it.
    await eventually(async () => (relay.caught.length >= 3 ? true : undefined), { what: 'three emails caught', timeoutMs: 180_000 });
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    await worker.kill();
    await h.startWorker();
    await relay.close();
  }
  const campaigns = relay.caught.map((c) => outboundIdOf(c.messageId)?.split(':').pop());
  expect(campaigns).toEqual(['K1', 'K2', 'K3']);
}, 240_000);

test("an email the relay refuses for now holds the stream's next campaign until it goes, then the rest follow in order", async () => {
  let refusing: Awaited<ReturnType<typeof startRefusingRelay>> | undefined = await startRefusingRelay(451, '4.7.1', relayPort);
  let relay: Awaited<ReturnType<typeof startCatchingRelay>> | undefined;
  try {
    const rob = await enrolledOnThreeCampaigns('rob@refused.example', 'Rob', 'Waits for a busy relay');
    const messages = async () => (await h.api('GET', `/v1/outbound-messages?personId=${rob}`)).body.items as { id: string; status: string }[];
    await eventually(async () => ((await messages()).some((m) => m.status === 'failed') ? true : undefined), { what: 'the first cast refused for now' });
    // Casts are a second apart: had the failed email let the stream go on, the next campaigns would be recorded by now.
    await new Promise((r) => setTimeout(r, 5000));
    expect((await messages()).map((m) => m.id.split(':').pop())).toEqual(['K1']);

    await refusing.close();
    refusing = undefined;
    relay = await startCatchingRelay({ port: relayPort });
    const caught = relay.caught;
    await eventually(async () => (caught.length >= 3 ? true : undefined), { what: 'the three emails once the relay takes mail', timeoutMs: 120_000 });
    expect(caught.map((c) => outboundIdOf(c.messageId)?.split(':').pop())).toEqual(['K1', 'K2', 'K3']);
  } finally {
    await refusing?.close();
    await relay?.close();
  }
}, 180_000);
