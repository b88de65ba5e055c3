import type { WorkflowHandle } from '@temporalio/client';
import { Person } from '../models/person';
import { rescoreWorkflowId } from '../workflows/rescore';
import type { rescoreWorkflow } from '../workflows/rescore';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';
import { startWorkerProcess, WorkerProcess } from './support/worker-process';

const PEOPLE = 2000;
const model = (points: number) => ({ fit: [], behavior: [{ id: 'visit', event: 'web_visit', within: 'P30D', points }], qualifyAt: 100 });

let h: Harness;
let worker: WorkerProcess | undefined;

// 2,000 people at 400 accounts, and one CRM contact without an account: 401
// entity workflows to ask, a fan-out long enough to be killed half-way.
beforeAll(async () => {
  h = await startHarness();
  await h.stopWorker();
  worker = await startWorkerProcess(h.config);
  const { version } = (await h.api('PUT', '/v1/scoring-model', model(10))).body;
  await h.api('POST', '/v1/identify', { person: { email: 'boss@crm.example', crmId: 'crm-boss' }, traits: { firstName: 'Boss' } });
  const visits = Array.from({ length: PEOPLE }, (_, i) =>
    event({ type: 'web_visit', occurredAt: new Date().toISOString(), accountKey: `acct-${i % 400}`, person: { email: `p${i}@people.example` } }),
  );
  for (let i = 0; i < PEOPLE; i += 1000) expect((await h.api('POST', '/v1/events', { events: visits.slice(i, i + 1000) })).body.accepted).toBe(1000);
  await eventually(async () => ((await Person.countDocuments({ scoreModelVersion: version })) === PEOPLE + 1 ? true : undefined), { what: 'everyone scored', timeoutMs: 120000 });
}, 180000);
afterAll(async () => {
  await worker?.kill();
  await h?.close();
});

async function saveModel(points: number): Promise<{ version: number; handle: WorkflowHandle<typeof rescoreWorkflow> }> {
  const { version } = (await h.api('PUT', '/v1/scoring-model', model(points))).body;
  return { version, handle: h.client.workflow.getHandle(rescoreWorkflowId(h.config.TASK_QUEUE, version)) };
}

async function historyOf(handle: WorkflowHandle) {
  return (await handle.fetchHistory()).events ?? [];
}

test('a worker killed (SIGKILL) while asking everyone to re-score: another worker resumes and all 2,001 people end on the new version', async () => {
  const { version, handle } = await saveModel(20);
  await eventually(
    async () => ((await handle.describe()).raw.pendingActivities?.some((a) => a.heartbeatDetails?.payloads?.length) ? true : undefined),
    { what: 'the fan-out to record a resume point' },
  );
  // The fan-out is paced by the refreshes, so it lasts as long as the re-score: progress shows meanwhile.
  expect((await h.api('GET', '/v1/scoring-model')).body.recompute).toMatchObject({ version, status: 'running', total: PEOPLE + 1 });
  await worker!.kill();
  worker = await startWorkerProcess(h.config);

  expect(await handle.result()).toMatchObject({ version, status: 'completed', total: PEOPLE + 1, done: PEOPLE + 1 });
  expect(await Person.countDocuments({ scoreModelVersion: version })).toBe(PEOPLE + 1);
  // The fan-out was cut short: its second attempt resumed it.
  const events = await historyOf(handle);
  const fanOut = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'signalRefreshAll');
  const started = events.find((e) => e.activityTaskStartedEventAttributes && Number(e.activityTaskStartedEventAttributes.scheduledEventId) === Number(fanOut?.eventId));
  expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  expect((await h.api('GET', '/v1/scoring-model')).body.recompute).toMatchObject({ version, status: 'completed', done: PEOPLE + 1 });
}, 240000);

test('a re-score ends when a person it counted is merged away before being re-scored', async () => {
  const { version, handle } = await saveModel(30);
  // The fan-out is under way (it wakes accounts only as fast as their refreshes run); stop the worker
  // (draining: the fan-out ends its attempt, so nothing waits for a timeout) before all re-scored.
  await eventually(
    async () => ((await handle.describe()).raw.pendingActivities?.some((a) => a.heartbeatDetails?.payloads?.length) ? true : undefined),
    { what: 'the fan-out to record a resume point' },
  );
  await worker!.stop();
  const straggler = (await Person.find({ scoreModelVersion: version - 1 }, { email: 1 }).limit(5).lean()).find((p) => p.email !== 'boss@crm.example');
  expect(straggler).toBeTruthy();
  const merged = await h.api('POST', '/v1/identify', { person: { crmId: 'crm-boss', email: straggler!.email } });
  expect(merged.body.merged).toEqual([straggler!._id]);
  worker = await startWorkerProcess(h.config);

  expect(await handle.result()).toMatchObject({ version, status: 'completed', total: PEOPLE, done: PEOPLE });
  expect(await Person.findOne({ _id: straggler!._id }).lean()).toMatchObject({ scoreModelVersion: version - 1, mergedInto: merged.body.personId });
  expect((await h.api('GET', '/v1/scoring-model')).body.recompute).toMatchObject({ version, status: 'completed', total: PEOPLE });
}, 180000);

test('a re-score asks everyone before any count of everyone, showing the people on the model before as its total', async () => {
  const { version, handle } = await saveModel(40);
  const first = await eventually(async () => {
    const progress = (await h.api('GET', '/v1/scoring-model')).body.recompute;
    return progress?.version === version && progress.total ? progress : undefined;
  }, { what: 'progress with a total' });
  expect(first).toMatchObject({ version, total: PEOPLE });

  expect(await handle.result()).toMatchObject({ version, status: 'completed', total: PEOPLE, done: PEOPLE });
  const scheduled = (await historyOf(handle)).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  expect(scheduled.indexOf('signalRefreshAll')).toBeGreaterThan(-1);
  expect(scheduled.indexOf('signalRefreshAll')).toBeLessThan(scheduled.indexOf('tallyRescored'));
}, 180000);
