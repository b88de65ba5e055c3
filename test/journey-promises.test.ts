import { WorkflowExecutionDescription } from '@temporalio/client';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';
import { journeyApi } from './support/journeys';
import { startWebhookReceiver } from './support/webhook-receiver';
import { startWorkerProcess } from './support/worker-process';
import { JourneyJob } from '../models/journey-job';
import { journeyJobWorkflowId } from '../workflows/journey-job';

// A low history limit makes journeys continue as new after a few steps or signals.
const HISTORY_LIMIT = 50;
let h: Harness;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
const ACCOUNTS = ['acme', 'globex', 'initech', 'hooli', 'umbrella', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent'];
beforeAll(async () => {
  h = await startHarness({ ACCOUNT_HISTORY_LIMIT: String(HISTORY_LIMIT) });
  hooks = await startWebhookReceiver();
  for (const key of ACCOUNTS) await h.api('PUT', `/v1/accounts/${key}`, { name: key, domain: `${key}.example` });
});
afterAll(async () => {
  await hooks?.close();
  await h?.close();
});

const { publish, instance, at, finished, launch, steer } = journeyApi(() => h);
const now = () => new Date().toISOString();
const send = (accountKey: string, type: string, properties: Record<string, unknown> = {}) =>
  h.api('POST', '/v1/events', { events: [event({ type, occurredAt: now(), person: { email: `pat@${accountKey}.example` }, properties })] });
/**
 * Events one by one, each applied before the next, until the instance's run has
 * more history than the limit the harness sets: a loaded worker may take several
 * signals in one workflow task, so a fixed count is not enough. The workflow
 * sees its length as of its task's start, one event short of what describe
 * shows once that task has completed.
 */
async function pastHistoryLimit(accountKey: string, run: { describe(): Promise<WorkflowExecutionDescription> }, type: string, properties: Record<string, unknown>) {
  const total = async () => (await h.api('GET', `/v1/accounts/${accountKey}`)).body.activity?.total ?? 0;
  for (let i = 1; (await run.describe()).historyLength <= HISTORY_LIMIT + 1; i++) {
    if (i > 100) throw new Error(`the history of ${accountKey}'s instance did not pass ${HISTORY_LIMIT} events`);
    const before = await total();
    await send(accountKey, type, properties);
    await eventually(async () => ((await total()) > before ? true : undefined), { what: `event ${i} applied` });
  }
}
const callsTo = (path: string) => hooks.calls.filter((c) => c.path === path);
const workflowOf = (journey: string, accountKey: string) => h.client.workflow.getHandle(`journey:${journey}:${accountKey}`);

/** The first input of a run, as Temporal recorded it. */
async function runInput(journey: string, accountKey: string, runId?: string) {
  const history = await h.client.workflow.getHandle(`journey:${journey}:${accountKey}`, runId).fetchHistory();
  const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  return JSON.parse(Buffer.from(payload.data!).toString());
}

test('pausing a journey right after its launch holds the new instance before its first action', async () => {
  const journey = await publish({
    name: 'Quick hello',
    start: 'settle',
    nodes: { settle: { type: 'wait', duration: 'PT2S', next: 'call' }, call: { type: 'action', action: 'webhook', params: { url: hooks.url('/ok?quick-hello') }, next: 'done' }, done: { type: 'exit' } },
  });
  const launched = await h.api('POST', `/v1/journeys/${journey}/launch`, { accountKeys: ['acme'] });
  const paused = await h.api('POST', `/v1/journeys/${journey}/pause`);
  expect(paused.body.state).toBe('paused');
  await finished(journey, launched);
  await finished(journey, paused);
  // Held before its first node or before the call, depending on which job ran first; never past the call.
  await eventually(async () => ((await instance(journey, 'acme'))?.status === 'paused' ? true : undefined), { what: 'the instance to hold' });
  await new Promise((r) => setTimeout(r, 2500));
  expect((await instance(journey, 'acme'))?.status).toBe('paused');
  expect(callsTo('/ok?quick-hello')).toHaveLength(0);
  await steer(journey, 'resume');
  await at(journey, 'acme', 'done', 'completed');
  expect(callsTo('/ok?quick-hello')).toHaveLength(1);
});

test('a launch answers at once with a job, and the job shows each account started, already running or rejected', async () => {
  const journey = await publish({ name: 'Hold', start: 'hold', nodes: { hold: { type: 'wait', duration: 'PT1H', next: 'done' }, done: { type: 'exit' } } });
  const accepted = await h.api('POST', `/v1/journeys/${journey}/launch`, { accountKeys: [...ACCOUNTS, 'nobody'] });
  expect(accepted).toMatchObject({ status: 202, body: { status: 'running', progress: `/v1/journeys/${journey}/jobs/${accepted.body.jobId}` } });
  expect(await finished(journey, accepted)).toMatchObject({ kind: 'launch', total: 11, done: 11, started: 10, alreadyRunning: 0, rejected: [{ accountKey: 'nobody', error: 'unknown account' }] });
  expect(await launch(journey, ['acme', 'globex'])).toMatchObject({ started: 0, alreadyRunning: 2 });
  expect(await steer(journey, 'stop')).toMatchObject({ kind: 'stop', total: 10, signalled: 10 });
  for (const key of ACCOUNTS) await at(journey, key, 'hold', 'stopped');
});

test('a launch recorded before its targets were kept apart from the job still starts every account and shows its total', async () => {
  const journey = await publish({ name: 'Hold on', start: 'hold', nodes: { hold: { type: 'wait', duration: 'PT1H', next: 'done' }, done: { type: 'exit' } } });
  const jobId = 'job_recorded-with-targets';
  const accountKeys = ['hooli', 'umbrella', 'nobody'];
  await JourneyJob.create({ _id: jobId, journeyId: journey, kind: 'launch', request: { version: 1, accountKeys }, targets: accountKeys, status: 'running', createdAt: new Date() });
  await h.client.workflow.execute('journeyJobWorkflow', { workflowId: journeyJobWorkflowId(jobId), taskQueue: h.config.TASK_QUEUE, args: [{ jobId }] });
  expect((await h.api('GET', `/v1/journeys/${journey}/jobs/${jobId}`)).body).toMatchObject({ status: 'completed', total: 3, done: 3, started: 2, rejected: [{ accountKey: 'nobody' }] });
  await at(journey, 'hooli', 'hold');
  await at(journey, 'umbrella', 'hold');
  await steer(journey, 'stop');
});

test('an account that re-enters after it exited is sent the webhook again under a new idempotency key', async () => {
  const journey = await publish({
    name: 'Every visit',
    reentry: 'afterExit',
    start: 'call',
    nodes: { call: { type: 'action', action: 'webhook', params: { url: hooks.url('/ok?every-visit') }, next: 'done' }, done: { type: 'exit' } },
  });
  await launch(journey, ['globex']);
  await at(journey, 'globex', 'done', 'completed');
  expect(await launch(journey, ['globex'])).toMatchObject({ started: 1 });
  await eventually(async () => (callsTo('/ok?every-visit').length === 2 ? true : undefined), { what: 'the second delivery' });
  await at(journey, 'globex', 'done', 'completed');
  const keys = callsTo('/ok?every-visit').map((c) => c.key);
  expect(new Set(keys).size).toBe(2);
  for (const key of keys) expect(key.startsWith(`journey:${journey}:globex:`)).toBe(true);
});

test('an account that submits a form leaves the journey in the middle of a wait, by its exit rule', async () => {
  const journey = await publish({
    name: 'Until they ask',
    exitWhen: { performed: 'form_submit', where: { field: 'event.properties.form', op: 'eq', value: 'contact' } },
    start: 'hold',
    nodes: { hold: { type: 'wait', duration: 'PT1H', next: 'call' }, call: { type: 'action', action: 'webhook', params: { url: hooks.url('/ok?until-they-ask') }, next: 'done' }, done: { type: 'exit' } },
  });
  await launch(journey, ['initech']);
  await at(journey, 'initech', 'hold');
  await send('initech', 'form_submit', { form: 'newsletter' });
  await send('initech', 'form_submit', { form: 'contact' });
  const ended = await at(journey, 'initech', 'hold', 'exited_by_rule');
  expect(ended.history.map((s) => s.outcome)).toEqual(['exit rule met']);
  expect(callsTo('/ok?until-they-ask')).toHaveLength(0);
});

test('an account that becomes tier A leaves at its next node, by its exit rule on an attribute', async () => {
  const journey = await publish({
    name: 'Until tier A',
    exitWhen: { field: 'account.tier', op: 'eq', value: 'A' },
    start: 'first',
    nodes: { first: { type: 'wait', duration: 'PT2S', next: 'call' }, call: { type: 'action', action: 'webhook', params: { url: hooks.url('/ok?until-tier-a') }, next: 'done' }, done: { type: 'exit' } },
  });
  await launch(journey, ['hooli']);
  await at(journey, 'hooli', 'first');
  await h.api('PUT', '/v1/accounts/hooli', { name: 'hooli', domain: 'hooli.example', tier: 'A' });
  await at(journey, 'hooli', 'call', 'exited_by_rule');
  expect(callsTo('/ok?until-tier-a')).toHaveLength(0);
});

test('a webhook the receiver rejects takes the onError branch, and one that times out takes onTimeout', async () => {
  const journey = await publish({
    name: 'Fallbacks',
    start: 'rejected',
    nodes: {
      rejected: { type: 'action', action: 'webhook', params: { url: hooks.url('/reject') }, next: 'done', onError: 'slow' },
      slow: { type: 'action', action: 'webhook', params: { url: hooks.url('/slow'), timeout: 'PT1S' }, next: 'done', onError: 'done', onTimeout: 'late' },
      late: { type: 'action', action: 'notifySales', params: { message: 'the CRM did not answer' }, next: 'done' },
      done: { type: 'exit' },
    },
  });
  await launch(journey, ['umbrella']);
  const ended = await at(journey, 'umbrella', 'done', 'completed', 60_000);
  expect(ended.history.map((s) => [s.nodeId, s.outcome])).toEqual([
    ['rejected', 'failed: webhook answered 400'],
    ['slow', 'timed out'],
    ['late', 'done'],
    ['done', 'exit'],
  ]);
  // A rejection is final: one call; a timeout is retried before the branch is taken.
  expect(callsTo('/reject')).toHaveLength(1);
  expect(callsTo('/slow').length).toBeGreaterThan(1);
  expect(new Set(callsTo('/slow').map((c) => c.key)).size).toBe(1);
}, 90_000);

test('events reach only the instances that wait for their type or exit on it', async () => {
  const listening = await publish({ name: 'Listens for visits', start: 'await', nodes: { await: { type: 'waitForEvent', event: 'web_visit', timeout: 'PT1H', next: 'done', onTimeout: 'done' }, done: { type: 'exit' } } });
  const deaf = await publish({ name: 'Hears nothing', start: 'hold', nodes: { hold: { type: 'wait', duration: 'PT1H', next: 'done' }, done: { type: 'exit' } } });
  await launch(listening, ['stark']);
  await launch(deaf, ['stark']);
  await at(listening, 'stark', 'await');
  await at(deaf, 'stark', 'hold');
  await send('stark', 'email_open');
  await send('stark', 'web_visit');
  await at(listening, 'stark', 'done', 'completed');
  const signals = async (journey: string) =>
    ((await workflowOf(journey, 'stark').fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'journeyEvents');
  const heard = await signals(listening);
  expect(heard).toHaveLength(1);
  expect(JSON.parse(Buffer.from(heard[0].workflowExecutionSignaledEventAttributes!.input!.payloads![0].data!).toString()).map((e: { type: string }) => e.type)).toEqual(['web_visit']);
  expect(await signals(deaf)).toHaveLength(0);
  await steer(deaf, 'stop');
});

test('a split right after a wait for an event sees that event in the score', async () => {
  await h.api('PUT', '/v1/scoring-model', { fit: [], behavior: [{ id: 'demo', event: 'meeting_booked', within: 'P30D', points: 50 }], qualifyAt: 40 });
  const journey = await publish({
    name: 'Hot after a meeting',
    start: 'await',
    nodes: {
      await: { type: 'waitForEvent', event: 'meeting_booked', timeout: 'PT1H', next: 'route', onTimeout: 'done' },
      route: { type: 'split', branches: [{ when: { score: { gte: 50 } }, next: 'hot' }], otherwise: 'cold' },
      hot: { type: 'wait', duration: 'PT1S', next: 'done' },
      cold: { type: 'wait', duration: 'PT1S', next: 'done' },
      done: { type: 'exit' },
    },
  });
  await launch(journey, ['wayne']);
  await at(journey, 'wayne', 'await');
  await send('wayne', 'meeting_booked');
  const ended = await at(journey, 'wayne', 'done', 'completed');
  expect(ended.history.map((s) => s.nodeId)).toEqual(['await', 'route', 'hot', 'done']);
});

test('a long wait that hears many events continues as new and keeps its deadline', async () => {
  const journey = await publish({
    name: 'Patient',
    exitWhen: { performed: 'form_submit', where: { field: 'event.properties.form', op: 'eq', value: 'unsubscribe' } },
    start: 'await',
    nodes: { await: { type: 'waitForEvent', event: 'meeting_booked', timeout: 'PT10M', next: 'done', onTimeout: 'done' }, done: { type: 'exit' } },
  });
  await launch(journey, ['tyrell']);
  await at(journey, 'tyrell', 'await');
  const first: WorkflowExecutionDescription = await workflowOf(journey, 'tyrell').describe();
  await new Promise((r) => setTimeout(r, 3000));
  // Each batch is a signal: the history passes the limit long before the wait ends.
  await pastHistoryLimit('tyrell', h.client.workflow.getHandle(first.workflowId, first.runId), 'form_submit', { form: 'newsletter' });
  await eventually(async () => ((await h.client.workflow.getHandle(first.workflowId, first.runId).describe()).status.name === 'CONTINUED_AS_NEW' ? true : undefined), {
    what: 'the wait to continue as new',
  });
  const next = await runInput(journey, 'tyrell');
  expect(next.at).toBe('await');
  // The deadline is the first run's timer's, not ten minutes from the continue-as-new (which came seconds later).
  const timer = ((await h.client.workflow.getHandle(first.workflowId, first.runId).fetchHistory()).events ?? []).find((e) => e.timerStartedEventAttributes)!;
  const firstDeadline = Number(timer.eventTime!.seconds) * 1000 + Math.floor((timer.eventTime!.nanos ?? 0) / 1e6) + 10 * 60_000;
  expect(Math.abs(next.resume.deadline - firstDeadline)).toBeLessThan(1000);
  await send('tyrell', 'meeting_booked');
  const done = await at(journey, 'tyrell', 'done', 'completed');
  expect(done.history.map((s) => s.nodeId)).toEqual(['await', 'done']);
  expect(done.history[0].outcome).toMatch(/^meeting_booked /);
});

describe('a request that arrives while an action is under way is kept when the instance continues as new', () => {
  const requests = {
    stop: async (journey: string) => void (await h.api('POST', `/v1/journeys/${journey}/stop`)),
    'exit-rule': async () => void (await send('cyberdyne', 'form_submit', { form: 'unsubscribe' })),
  };
  test.each(Object.keys(requests) as (keyof typeof requests)[])('%s', async (kind) => {
    const account = kind === 'stop' ? 'soylent' : 'cyberdyne';
    const journey = await publish({
      name: `Held call (${kind})`,
      exitWhen: { performed: 'form_submit', where: { field: 'event.properties.form', op: 'eq', value: 'unsubscribe' } },
      start: 'call',
      nodes: { call: { type: 'action', action: 'webhook', params: { url: hooks.url(`/hold/${kind}`), timeout: 'PT30S' }, next: 'hold' }, hold: { type: 'wait', duration: 'PT1H', next: 'done' }, done: { type: 'exit' } },
    });
    await launch(journey, [account]);
    const first = await eventually(async () => (callsTo(`/hold/${kind}`).length ? workflowOf(journey, account).describe() : undefined), { what: 'the held call' });
    await requests[kind](journey);
    // Events its exit rule names but does not match: they grow the history past the limit while the call is held.
    await pastHistoryLimit(account, h.client.workflow.getHandle(first.workflowId, first.runId), 'form_submit', { form: 'newsletter' });
    hooks.release(kind);
    const ended = await at(journey, account, 'hold', kind === 'stop' ? 'stopped' : 'exited_by_rule');
    expect((await h.client.workflow.getHandle(first.workflowId, first.runId).describe()).status.name).toBe('CONTINUED_AS_NEW');
    expect(ended.history.map((s) => s.nodeId)).toEqual(['call', 'hold']);
    expect(callsTo(`/hold/${kind}`)).toHaveLength(1);
  }, 90_000);

  test('migration, resolved at the node the instance really reached, without running the action again', async () => {
    const v1 = {
      name: 'Held call (migration)',
      exitWhen: { performed: 'form_submit', where: { field: 'event.properties.form', op: 'eq', value: 'unsubscribe' } },
      start: 'call',
      nodes: { call: { type: 'action', action: 'webhook', params: { url: hooks.url('/hold/migration'), timeout: 'PT30S' }, next: 'hold' }, hold: { type: 'wait', duration: 'PT1H', next: 'done' }, done: { type: 'exit' } },
    };
    const journey = await publish(v1);
    await launch(journey, ['acme']);
    const first = await eventually(async () => (callsTo('/hold/migration').length ? workflowOf(journey, 'acme').describe() : undefined), { what: 'the held call' });
    await h.api('PUT', `/v1/journeys/${journey}`, { ...v1, entry: { manual: true }, nodes: { ...v1.nodes, hold: { type: 'wait', duration: 'PT1S', next: 'done' } } });
    expect((await h.api('POST', `/v1/journeys/${journey}/publish`)).body).toEqual({ version: 2 });
    // The projection says the instance is at the call; it is really past it by the time it acts on the request.
    expect(await finished(journey, await h.api('POST', `/v1/journeys/${journey}/migrate`, { fromVersion: 1, toVersion: 2, nodeMap: { call: 'call', hold: 'hold' } }))).toMatchObject({ signalled: 1 });
    await pastHistoryLimit('acme', h.client.workflow.getHandle(first.workflowId, first.runId), 'form_submit', { form: 'newsletter' });
    hooks.release('migration');
    const ended = await at(journey, 'acme', 'done', 'completed');
    expect(ended.version).toBe(2);
    expect(ended.history.map((s) => [s.nodeId, s.outcome])).toEqual([
      ['call', 'done'],
      ['hold', 'migrated to v2 at hold'],
      ['hold', 'waited'],
      ['done', 'exit'],
    ]);
    expect(callsTo('/hold/migration')).toHaveLength(1);
  }, 90_000);
});

test('a dry run without a window starts at the account\'s entry and retraces the path it really took', async () => {
  const journey = await publish({
    name: 'Demo follow-up',
    start: 'await',
    nodes: {
      await: { type: 'waitForEvent', event: 'webinar_attend', timeout: 'PT20S', next: 'thanks', onTimeout: 'done' },
      thanks: { type: 'action', action: 'notifySales', params: { message: 'attended' }, next: 'done' },
      done: { type: 'exit' },
    },
  });
  await launch(journey, ['globex']);
  await at(journey, 'globex', 'await');
  await send('globex', 'webinar_attend');
  const real = await at(journey, 'globex', 'done', 'completed');
  const simulated = (await h.api('POST', `/v1/journeys/${journey}/simulate`, { accountKeys: ['globex'] })).body.items[0];
  const steps = (p: { nodeId: string; outcome?: string }[]) => p.map((s) => [s.nodeId, s.outcome]);
  expect(steps(simulated.path)).toEqual(steps(real.history));
  expect(simulated.path[0].outcome).toMatch(/^webinar_attend /);
});

test('actions on our own data are retried until they succeed; webhooks keep their five attempts', async () => {
  const journey = await publish({
    name: 'Tag and tell',
    start: 'tag',
    nodes: { tag: { type: 'action', action: 'setAttribute', params: { name: 'nurtured', value: true }, next: 'call' }, call: { type: 'action', action: 'webhook', params: { url: hooks.url('/ok?tag-and-tell') }, next: 'done' }, done: { type: 'exit' } },
  });
  await launch(journey, ['initech']);
  await at(journey, 'initech', 'done', 'completed');
  const scheduled = ((await workflowOf(journey, 'initech').fetchHistory()).events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === 'runJourneyAction');
  expect(scheduled.map((a) => a!.retryPolicy!.maximumAttempts ?? 0)).toEqual([0, 5]);
  expect((await instance(journey, 'initech'))?.status).toBe('completed');
});

test('a worker killed (SIGKILL) while its webhook call is in flight: the next worker calls again under the same key, and one call succeeds', async () => {
  const journey = await publish({
    name: 'Crash in the call',
    start: 'call',
    nodes: { call: { type: 'action', action: 'webhook', params: { url: hooks.url('/hold/crash'), timeout: 'PT5S' }, next: 'done' }, done: { type: 'exit' } },
  });
  await h.stopWorker();
  let worker = await startWorkerProcess(h.config);
  try {
    await launch(journey, ['stark']);
    const inFlight = await eventually(async () => callsTo('/hold/crash')[0], { what: 'the call in flight' });
    await worker.kill();
    await eventually(async () => (inFlight.gone ? true : undefined), { what: 'the killed caller to hang up' });
    hooks.release('crash');
    worker = await startWorkerProcess(h.config);
    await at(journey, 'stark', 'done', 'completed', 60_000);
  } finally {
    await worker.kill();
    await h.startWorker();
  }
  const calls = callsTo('/hold/crash');
  expect(calls.length).toBeGreaterThanOrEqual(2);
  expect(new Set(calls.map((c) => c.key)).size).toBe(1);
  expect(calls.filter((c) => c.answered === 200)).toHaveLength(1);
}, 120_000);
