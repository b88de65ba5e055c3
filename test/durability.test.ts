import { WorkflowExecutionDescription } from '@temporalio/client';
import { ensureSweeperSchedule, sweeperScheduleId } from '../workers/schedules';
import { ingestEvents } from '../lib/ingest-events';
import { startApiProcess } from '../bench/api-process';
import { op } from '../lib/query';
import { Account } from '../models/account';
import { PendingEvent } from '../models/pending-event';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;

beforeAll(async () => {
  // A low limit makes the account workflow continue as new every few batches.
  h = await startHarness({ ACCOUNT_HISTORY_LIMIT: '50' });
});
afterAll(() => h?.close());

async function waitForTotal(accountKey: string, total: number) {
  return eventually(
    async () => {
      const res = await h.api('GET', `/v1/accounts/${accountKey}`);
      if ((res.body.activity?.total ?? 0) > total) throw new Error(`over-counted: ${res.body.activity.total} > ${total}`);
      return res.body.activity?.total === total ? res.body : undefined;
    },
    // A task handed to the stopping worker as it shut down is lost with it: Temporal gives it to the next worker after its 20 s heartbeat timeout.
    { what: `${accountKey} to reach ${total}`, timeoutMs: 60_000 },
  );
}

const batchFor = (accountKey: string, n: number) => ({
  events: Array.from({ length: n }, (_, i) => event({ accountKey, person: { email: `p${i % 4}@${accountKey}.example` } })),
});

test('a worker stopped mid-way and restarted applies every event exactly once', async () => {
  const accounts = ['stark', 'wayne', 'oscorp'];
  for (const a of accounts) await h.api('PUT', `/v1/accounts/${a}`, { name: a });
  for (const a of accounts) await h.api('POST', '/v1/events', batchFor(a, 40));
  await h.stopWorker();
  // While no worker runs, events are still stored and their signals queue in Temporal.
  for (const a of accounts) expect((await h.api('POST', '/v1/events', batchFor(a, 25))).body.accepted).toBe(25);
  await h.startWorker();
  for (const a of accounts) await waitForTotal(a, 65);
  // Nothing still waiting to be applied, nothing applied twice after settling.
  await eventually(async () => ((await PendingEvent.countDocuments({})) === 0 ? true : undefined), { what: 'no pending events', timeoutMs: 90_000 });
  await new Promise((r) => setTimeout(r, 1000));
  for (const a of accounts) expect((await h.api('GET', `/v1/accounts/${a}`)).body.activity.total).toBe(65);
}, 330_000);

test('the sweeper re-delivers an event whose signal never went out', async () => {
  await h.api('PUT', '/v1/accounts/hooli', { name: 'Hooli' });
  const stranded = [event({ accountKey: 'hooli', person: { email: 'gavin@hooli.example' } })].map((e) => ({ ...e, type: 'form_submit' as const }));
  const stored = await ingestEvents(h.delivery, stranded, { signal: false });
  expect(stored.accepted).toBe(1);
  expect((await h.api('GET', '/v1/accounts/hooli')).body.activity.total).toBe(0);

  await ensureSweeperSchedule(h.client, { taskQueue: h.config.TASK_QUEUE, everySeconds: 3600, graceSeconds: 0 });
  const schedule = h.client.schedule.getHandle(sweeperScheduleId(h.config.TASK_QUEUE));
  await schedule.trigger();
  const account = await waitForTotal('hooli', 1);
  expect(account.activity.byType).toEqual({ form_submit: 1 });
  const run = await eventually(async () => (await schedule.describe()).info.recentActions[0], { what: 'the sweeper run in the schedule history' });
  const result = await h.client.workflow.getHandle(run.action.workflow.workflowId, run.action.workflow.firstExecutionRunId).result();
  expect(result).toEqual({ resent: 1, workflows: 1 });
  await schedule.delete();
});

test("a visitor's event waiting while she joins an account is applied there once, and nothing is left waiting", async () => {
  await h.api('PUT', '/v1/accounts/initech', { name: 'Initech' });
  const visit = event({ person: { anonymousId: 'cookie-milton' } });
  expect((await ingestEvents(h.delivery, [visit], { signal: false })).accepted).toBe(1);
  expect((await PendingEvent.findOne({ _id: visit.eventId }).lean())?.workflowId).toMatch(/^person:/);
  await h.api('POST', '/v1/identify', { person: { anonymousId: 'cookie-milton' }, accountKey: 'initech' });

  // Re-sent to the visitor's own workflow, which hands it to the account's.
  await ensureSweeperSchedule(h.client, { taskQueue: h.config.TASK_QUEUE, everySeconds: 3600, graceSeconds: 0 });
  const schedule = h.client.schedule.getHandle(sweeperScheduleId(h.config.TASK_QUEUE));
  await schedule.trigger();
  await waitForTotal('initech', 1);
  await eventually(async () => ((await PendingEvent.countDocuments({ _id: visit.eventId })) === 0 ? true : undefined), { what: 'the marker cleared by the account' });
  await schedule.trigger();
  await new Promise((r) => setTimeout(r, 2000));
  expect((await h.api('GET', '/v1/accounts/initech')).body.activity.total).toBe(1);
  await schedule.delete();
}, 120_000);

test('the account workflow continues as new when its history grows and loses no buffered event', async () => {
  await h.api('PUT', '/v1/accounts/massive', { name: 'Massive Dynamic' });
  const first = await h.api('POST', '/v1/events', batchFor('massive', 3));
  expect(first.body.accepted).toBe(3);
  // The answer comes once the batch is stored; its signal (which starts the workflow) follows.
  await waitForTotal('massive', 3);
  const handle = h.client.workflow.getHandle('account:massive');
  const firstRun: WorkflowExecutionDescription = await handle.describe();
  // Many small batches in quick succession: signals arrive while the workflow is applying and rolling over.
  await Promise.all(Array.from({ length: 30 }, () => h.api('POST', '/v1/events', batchFor('massive', 3))));
  await waitForTotal('massive', 93);
  const firstRunNow = await h.client.workflow.getHandle('account:massive', firstRun.runId).describe();
  expect(firstRunNow.status.name).toBe('CONTINUED_AS_NEW');
  const current = await handle.describe();
  expect(current.runId).not.toBe(firstRun.runId);
  expect(current.status.name).toBe('RUNNING');
  expect(current.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toContainEqual(['AccountKey', 'massive']);
});

test('a batch acknowledged by an API process killed (SIGKILL) before it signalled every account is applied once, by the sweeper', async () => {
  const output: string[] = [];
  const api = await startApiProcess(h.config, (line) => output.push(line));
  const accounts = Array.from({ length: 400 }, (_, i) => `stranded-${i}`);
  const res = await api.api('POST', '/v1/events', { events: accounts.map((accountKey) => event({ accountKey, person: { email: `buyer@${accountKey}.example` } })) });
  process.kill(api.pid, 'SIGKILL');
  expect(res.status).toBe(202);
  expect(res.body.accepted).toBe(accounts.length);
  await api.stop();
  // This test's accounts only: earlier tests leave accounts of their own at 1.
  const ours = { _id: op({ $regex: '^stranded-' }) };
  const applied = () => Account.countDocuments({ ...ours, 'activity.total': 1 });
  const overCounted = () => Account.countDocuments({ ...ours, 'activity.total': op({ $gt: 1 }) });

  // Whatever the dead process signalled is applied (the count stops moving); the rest is stranded until the sweeper runs.
  let settled = -1;
  for (let now = await applied(); now !== settled; now = await applied()) {
    settled = now;
    await new Promise((r) => setTimeout(r, 3000));
  }
  expect(settled).toBeLessThan(accounts.length);

  await ensureSweeperSchedule(h.client, { taskQueue: h.config.TASK_QUEUE, everySeconds: 3600, graceSeconds: 0 });
  const schedule = h.client.schedule.getHandle(sweeperScheduleId(h.config.TASK_QUEUE));
  await schedule.trigger();
  await eventually(async () => ((await applied()) === accounts.length ? true : undefined), { what: 'every account applied', timeoutMs: 90_000 });
  await eventually(async () => ((await PendingEvent.countDocuments({})) === 0 ? true : undefined), { what: 'no pending events', timeoutMs: 30_000 });
  await schedule.trigger();
  await new Promise((r) => setTimeout(r, 2000));
  expect(await overCounted()).toBe(0);
  expect(await applied()).toBe(accounts.length);
  await schedule.delete();
}, 240_000);
