import { NativeConnection } from '@temporalio/worker';
import { backgroundQueue } from '../domain/background-queue';
import { identityKey } from '../domain/identity';
import { entityWorkflowId } from '../domain/routing';
import { Identity } from '../models/identity';
import { Person } from '../models/person';
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

test("a visitor whose re-score fails because she joined an account as her next visit came keeps that visit: it counts on the account", async () => {
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme', domain: 'acme.example' });
  const anonymous = (occurredAt: string) => event({ type: 'web_visit', occurredAt, person: { anonymousId: 'cookie-withdrawn' } });
  await h.api('POST', '/v1/events', { events: [anonymous(new Date(Date.now() - 60_000).toISOString())] });
  const personId = await eventually(async () => (await Identity.findOne({ _id: identityKey('anonymousId', 'cookie-withdrawn') }).lean())?.personId, { what: 'the visitor known' });
  const herWorkflow = h.client.workflow.getHandle(entityWorkflowId({ kind: 'person', personId }));
  await eventually(async () => ((await Person.findOne({ _id: personId }).lean())?.activity?.total === 1 ? true : undefined), { what: 'her first visit applied' });

  // Her background re-score is held at its write. Meanwhile her next visit reaches her own workflow, which withdraws
  // the re-score, and a form with her work email joins her to Acme: the write then finds she has another writer, and fails.
  const secondVisit = anonymous(new Date().toISOString());
  const original = Person.updateOne.bind(Person);
  let held = false;
  const write = jest.spyOn(Person, 'updateOne').mockImplementation(((filter: { _id?: unknown }, update: never) => {
    if (held || filter?._id !== personId) return original(filter, update);
    held = true;
    return (async () => {
      await h.api('POST', '/v1/events', { events: [secondVisit] });
      await eventually(async () => ((await herWorkflow.fetchHistory()).events ?? []).some((e) => e.activityTaskCancelRequestedEventAttributes) || undefined, { what: 'the re-score withdrawn' });
      await h.api('POST', '/v1/events', { events: [event({ type: 'form_submit', occurredAt: new Date().toISOString(), person: { anonymousId: 'cookie-withdrawn', email: 'dana@acme.example' } })] });
      await eventually(async () => ((await Person.findOne({ _id: personId }).lean())?.accountKey === 'acme' ? true : undefined), { what: 'her joining Acme' });
      return original(filter, update);
    })();
  }) as typeof Person.updateOne);
  try {
    expect((await h.api('PUT', '/v1/scoring-model', { fit: [], behavior: [{ id: 'visit', event: 'web_visit', within: 'P30D', points: 7 }], qualifyAt: 1000 })).status).toBe(200);
    await eventually(async () => (held ? true : undefined), { what: 'her re-score at its write', timeoutMs: 30_000 });
  } finally {
    write.mockRestore();
  }

  const counted = await eventually(
    async () => {
      const her = await Person.findOne({ _id: personId }).lean();
      return her?.recentEvents?.some((e) => e.eventId === secondVisit.eventId) ? her : undefined;
    },
    { what: 'her second visit applied', timeoutMs: 20_000 },
  );
  expect(counted.accountKey).toBe('acme');
  expect(counted.activity?.total).toBe(3);
  const failures = ((await herWorkflow.fetchHistory()).events ?? []).map((e) => e.activityTaskFailedEventAttributes?.failure?.message).filter(Boolean);
  expect(failures).toEqual([expect.stringContaining(`person ${personId} joined account acme`)]);
  expect((await herWorkflow.describe()).status.name).not.toBe('FAILED');
}, 90_000);
