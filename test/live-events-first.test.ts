import { NativeConnection } from '@temporalio/worker';
import { backgroundQueue } from '../domain/background-queue';
import { createWorkers, workerOptions } from '../workers/options';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';
import { testServers } from './support/servers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const visit = (email: string) => event({ type: 'web_visit', occurredAt: new Date().toISOString(), accountKey: 'initech', person: { email } });
const scoreOf = async (personId: string) => (await h.api('GET', `/v1/people/${personId}`)).body.score?.total as number | undefined;

/** The workers of this file without the background queue's: every refresh that goes there waits. */
async function withoutBackgroundWorkers(): Promise<() => Promise<void>> {
  await h.stopWorker();
  const connection = await NativeConnection.connect({ address: h.config.TEMPORAL_ADDRESS });
  const options = workerOptions(h.config, connection, h.client, { workflowBundle: { codePath: testServers().bundlePath } });
  const workers = await createWorkers(options.filter((o) => o.taskQueue !== backgroundQueue(h.config.TASK_QUEUE)));
  const running = workers.run();
  return async () => {
    workers.shutdown();
    await running;
    await connection.close();
    await h.startWorker();
  };
}

test('a re-score queued behind background work never holds up a visit: the visit is applied within seconds, and scored with the new model', async () => {
  expect((await h.api('PUT', '/v1/scoring-model', { fit: [], behavior: [{ id: 'visit', event: 'web_visit', within: 'P30D', points: 10 }], qualifyAt: 1000 })).status).toBe(200);
  await h.api('PUT', '/v1/accounts/initech', { name: 'Initech' });
  const bob = (await h.api('PUT', '/v1/people/bob@initech.example', { accountKey: 'initech' })).body.personId;
  await h.api('POST', '/v1/events', { events: [visit('bob@initech.example')] });
  await eventually(async () => ((await scoreOf(bob)) === 10 ? true : undefined), { what: 'the first visit scored' });

  const restore = await withoutBackgroundWorkers();
  try {
    // A new model: every account is asked to re-score, and its refresh waits on the background queue.
    expect((await h.api('PUT', '/v1/scoring-model', { fit: [], behavior: [{ id: 'visit', event: 'web_visit', within: 'P30D', points: 30 }], qualifyAt: 1000 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3000));
    expect(await scoreOf(bob)).toBe(10);

    await h.api('POST', '/v1/events', { events: [visit('bob@initech.example')] });
    // The new model's 30 points for visits: the visit's batch did the re-score the refresh was to do.
    await eventually(async () => ((await scoreOf(bob)) === 30 ? true : undefined), { what: 'the second visit applied with the new model', timeoutMs: 15_000 });
    expect((await h.api('GET', '/v1/accounts/initech')).body.activity.total).toBe(2);
  } finally {
    await restore();
  }
  // With the background workers back, nothing is owed and nothing is counted twice.
  await new Promise((r) => setTimeout(r, 2000));
  expect(await scoreOf(bob)).toBe(30);
  expect((await h.api('GET', '/v1/accounts/initech')).body.activity.total).toBe(2);
}, 90_000);
