import { NativeConnection } from '@temporalio/worker';
import { recordAndDeliver } from '../lib/deliveries';
import { createWorkers, workerOptions } from '../workers/options';
import { eventually, Harness, startHarness } from './support/harness';
import { mailDev } from './support/maildev';
import { testServers } from './support/servers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/email-templates/notice', { name: 'Notice', kind: 'operational', subject: 'Isolated notice', html: '<p>Hello {{ person.firstName }}</p>' });
  await h.api('PUT', '/v1/accounts/tyrell', { name: 'Tyrell' });
});
afterAll(() => h?.close());

test('an email goes out while the queue of journeys, streams and accounts has no worker at all', async () => {
  const { personId } = (await h.api('PUT', '/v1/people/rachael@tyrell.example', { firstName: 'Rachael', accountKey: 'tyrell' })).body;
  await h.stopWorker();
  const connection = await NativeConnection.connect({ address: h.config.TEMPORAL_ADDRESS });
  const options = workerOptions(h.config, connection, h.client, { workflowBundle: { codePath: testServers().bundlePath } });
  const workers = await createWorkers(options.filter((o) => o.taskQueue !== h.config.TASK_QUEUE));
  const running = workers.run();
  try {
    await recordAndDeliver(h.delivery, [{ _id: 'isolation:rachael', channel: 'email', type: 'sendEmail', accountKey: 'tyrell', personId, payload: { template: 'notice' } }]);
    const mail = await eventually(async () => (await mailDev().list()).find((m) => m.subject === 'Isolated notice' && m.to.some((t) => t.address === 'rachael@tyrell.example')), { what: 'the notice in the inbox', timeoutMs: 30_000 });
    expect(mail.html).toContain('Hello Rachael');
  } finally {
    workers.shutdown();
    await running;
    await connection.close();
    await h.startWorker();
  }
}, 90_000);
