import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';
import { HOLDING, startWorkerProcess, WorkerProcess } from './support/worker-process';

let h: Harness;
let worker: WorkerProcess | undefined;
beforeAll(async () => {
  h = await startHarness();
  await h.stopWorker();
});
afterAll(async () => {
  await worker?.kill();
  await h?.close();
});

const total = async (accountKey: string) => ((await h.api('GET', `/v1/accounts/${accountKey}`)).body.activity?.total ?? 0) as number;

test('events taken by a worker that dies (SIGKILL) are applied by the next worker within seconds, not a minute, and once', async () => {
  worker = await startWorkerProcess(h.config);
  await h.api('PUT', '/v1/accounts/cyberdyne', { name: 'Cyberdyne' });
  await h.api('POST', '/v1/events', { events: [event({ accountKey: 'cyberdyne', person: { email: 'miles@cyberdyne.example' } })] });
  await eventually(async () => ((await total('cyberdyne')) === 1 ? true : undefined), { what: 'the first event applied' });
  await worker.stop();

  // This worker takes the next batch and dies with it.
  worker = await startWorkerProcess(h.config, { holdActivity: 'applyEvents' });
  await h.api('POST', '/v1/events', { events: [event({ accountKey: 'cyberdyne', person: { email: 'miles@cyberdyne.example' } })] });
  await worker.printed(`${HOLDING} applyEvents`);
  await worker.kill();
  const killedAt = Date.now();

  worker = await startWorkerProcess(h.config);
  // The workflow task the batch ran in times out and runs again on this worker; an activity task waited for its heartbeat timeout (20 s), before that its one-minute start-to-close timeout.
  await eventually(async () => ((await total('cyberdyne')) === 2 ? true : undefined), { what: 'the batch applied by the next worker', timeoutMs: 50_000 });
  expect(Date.now() - killedAt).toBeLessThan(50_000);
  await new Promise((r) => setTimeout(r, 2000));
  expect(await total('cyberdyne')).toBe(2);
}, 120_000);
