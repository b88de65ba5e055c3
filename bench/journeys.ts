// "Start rate (journeys/s) launching 10,000 accounts, worker memory with 10,000
// open waiting journeys, and time from an event to the journey's branch
// (p50/p99)." BENCH_PEOPLE accounts (default 10000) of one person each go
// straight into the database, in the shape PUT /v1/accounts and PUT /v1/people
// write them (10K PUTs at ~40/s would be minutes of seeding, not what this
// measures). The journey: wait up to 7 days for whitepaper_download, then
// notifySales, then exit.
//
// (1) Launch: POST /v1/journeys/:id/launch in calls of 1,000 accounts, two at a
//     time; timed until the API has answered every call and until every
//     instance is recorded as waiting at 'await' in the projection (a count
//     polled every 2 s, then each instance's updatedAt read once). A sample of
//     the instances' Temporal histories says where a start spends its time.
// (2) Memory with N open waiting journeys: process.memoryUsage() before the
//     launch and once all wait, with and without a forced GC, and the worker's
//     cached workflow count. The worker shares this process with the API, the
//     bench and the main-thread half of the SDK; workflows run in the SDK's
//     worker thread, whose heap is in rss only.
// (3) Event → branch: after 5 s with nothing sent (the stack's idle CPU), an
//     open-loop sender POSTs one whitepaper_download event to up to 200
//     accounts (10/s; each account's workflow was woken by an email_open before
//     the launch, as a live account's is); pollers read each instance by _id
//     until it is at 'hot' or 'done'. The account's and the journey's
//     histories then split each latency into its legs (server timestamps).
// (4) Stop: POST /v1/journeys/:id/stop, timed until no instance waits.
// Baselines in the same run: the same N instances of a second journey with
// the same definition started by calling startJourney (lib/journey-launch) in
// this process with the same concurrency (no HTTP, no account check), timed
// the same way; and a plain insertOne + findOne by _id (the floor of an event
// that must be written and then read back).
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import mongoose from 'mongoose';
import type { JourneyDefinition } from '../domain/journeys/definition';
import { identityKey } from '../domain/identity';
import { newId } from '../lib/ids';
import { LiveJourney, startJourney } from '../lib/journey-launch';
import { versionOf } from '../lib/journey-store';
import { Account } from '../models/account';
import { Identity } from '../models/identity';
import { Interaction } from '../models/interaction';
import { Journey, JourneyInstance, JourneyVersion } from '../models/journey';
import { OutboundMessage } from '../models/outbound-message';
import { PendingEvent } from '../models/pending-event';
import { Person } from '../models/person';
import { ScoreEvent } from '../models/score-event';
import { eventsSignal } from '../workflows/account-messages';
import { journeyEventsSignal, journeyWorkflowId } from '../workflows/journey-messages';
import { mulberry32 } from './segment-data';
import { expectStatus, forEachLimit, Scenario, ScenarioContext, sleep, waitFor, waitForProgress, within } from './scenario';
import type { BenchStack } from './stack';
import { ratePerSecond, round, summarize } from './stats';

const PREFIX = 'jnb';
const SEED_CHUNK = 1000;
const SEED_IN_FLIGHT = 4;
/** Accounts per launch call, and calls in flight (each call starts 16 at a time inside the API). */
const LAUNCH_CALL = 1000;
const LAUNCH_PARALLEL = 2;
/** The API's own concurrency per launch call (api/routes/journeys.ts): the baseline uses as many in all. */
const API_CONCURRENCY = 16;
const COUNT_POLL_MS = 2000;
/** No progress for this long means the engine is stuck, not slow. */
const STALL_MS = 120000;
/** Histories read to split a start into its legs. */
const HISTORY_SAMPLES = 200;
const HISTORY_IN_FLIGHT = 8;

/** The event phase: at most this many events, one account each, open loop. */
const MAX_EVENTS = 200;
const EVENTS_PER_SECOND = 10;
const TICK_MS = 1000 / EVENTS_PER_SECOND;
/** POSTs allowed in flight: beyond that a tick is skipped and the achieved rate drops. */
const MAX_IN_FLIGHT = 20;
const POLLERS = 4;
/**
 * An instance is read again after a tenth of the time since its event (25-500 ms):
 * the latency's resolution stays within 10%, and the reads (which share the two
 * cores with the engine) stay few while latencies are seconds.
 */
const MIN_REPOLL_MS = 25;
const MAX_REPOLL_MS = 500;
const REPOLL_FRACTION = 0.1;
const TAIL_MS = 60000;
const WARM_UP_MS = 180000;
/** The stack's CPU is sampled this long with nothing sent, before the events. */
const IDLE_MS = 5000;

const EVENT = 'whitepaper_download';
const WAIT_NODE = 'await';
const BRANCH_NODES = new Set(['hot', 'done']);
const definitionOf = (name: string) => ({
  name,
  entry: { manual: true },
  start: WAIT_NODE,
  nodes: {
    [WAIT_NODE]: { type: 'waitForEvent', event: EVENT, timeout: 'P7D', next: 'hot', onTimeout: 'done' },
    hot: { type: 'action', action: 'notifySales', params: { message: 'bench' }, next: 'done' },
    done: { type: 'exit' },
  },
});

interface SeedAccount {
  key: string;
  personId: string;
  email: string;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => round(bytes / MB);

/** Peak resident set of this process so far (Linux), in MB. */
function peakRssMb(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function memory() {
  const m = process.memoryUsage();
  return { rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers) };
}

/** global.gc when node runs with --expose-gc; otherwise the flag set at run time and gc taken from a fresh context. */
function forcedGc(): { gc?: () => void; how: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: 'global.gc (--expose-gc)' };
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (() => void) | undefined;
    if (typeof gc === 'function') return { gc, how: 'v8.setFlagsFromString(--expose-gc) + vm context gc (main thread only)' };
  } catch {
    // not available: figures without a forced GC
  }
  return { how: 'none: figures without a forced GC' };
}

function workerStatus(stack: BenchStack) {
  const s = stack.worker.getStatus();
  return { runState: s.runState, cachedWorkflows: s.numCachedWorkflows, inFlightActivities: s.numInFlightActivities, inFlightWorkflowActivations: s.numInFlightWorkflowActivations };
}

interface ProcTicks {
  comm: string;
  ticks: number;
}

/**
 * CPU ticks of the stack's processes (Linux): this one, its descendants, and any
 * process whose command line names the run's data dir (PostgreSQL, Temporal,
 * FerretDB), by command name. Other engineers' processes on the machine are not counted.
 */
function stackTicks(dataDir: string): Map<number, ProcTicks> {
  const all = new Map<number, { ppid: number; comm: string; ticks: number; args: string }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return new Map();
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const rest = stat.slice(close + 2).split(' ');
      let args = '';
      try {
        args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        // gone or not ours to read
      }
      all.set(Number(pid), { ppid: Number(rest[1]), comm: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(rest[11]) + Number(rest[12]), args });
    } catch {
      // the process ended while we read
    }
  }
  const mine = new Set<number>([process.pid]);
  for (const [pid, p] of all) if (p.args.includes(dataDir)) mine.add(pid);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of all) {
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  return new Map([...mine].filter((pid) => all.has(pid)).map((pid) => [pid, { comm: pid === process.pid ? 'node (bench, API, worker)' : all.get(pid)!.comm, ticks: all.get(pid)!.ticks }]));
}

/** Percent of one core per command name between two readings (processes that ended in between are missed). */
function cpuByCommand(before: Map<number, ProcTicks>, after: Map<number, ProcTicks>, ms: number): Record<string, number> {
  const ticksPerSecond = 100;
  const byComm = new Map<string, number>();
  for (const [pid, p] of after) byComm.set(p.comm, (byComm.get(p.comm) ?? 0) + p.ticks - (before.get(pid)?.ticks ?? 0));
  const out: Record<string, number> = {};
  for (const [comm, ticks] of [...byComm].sort((a, b) => b[1] - a[1])) if (ticks > 0) out[comm] = round(((ticks / ticksPerSecond) * 1000 * 100) / Math.max(1, ms));
  return out;
}

/** CPU and event-loop delay of this process (API, worker and load generator share it), the stack's processes, and the machine's load. */
function processLoad(dataDir: string) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const ticksBefore = stackTicks(dataDir);
  const start = Date.now();
  const loadBefore = os.loadavg()[0];
  return () => {
    loop.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const ms = Math.max(1, Date.now() - start);
    return {
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / ms) * 100),
      eventLoopDelayMs: { p50: round(loop.percentile(50) / 1e6), p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) },
      /** Percent of one core (the machine has os.cpus().length), by process of the stack. */
      stackCpuPercent: cpuByCommand(ticksBefore, stackTicks(dataDir), ms),
      machineLoad1m: { before: round(loadBefore), after: round(os.loadavg()[0]) },
    };
  };
}

function generate(count: number): SeedAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `${PREFIX}-${i}`;
    return { key, personId: newId('p'), email: `buyer@${key}.example.com` };
  });
}

/** Accounts, people and their email identities, in the shape the API writes them. */
async function seed(accounts: SeedAccount[], log: ScenarioContext['log']): Promise<void> {
  const tasks: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < accounts.length; i += SEED_CHUNK) {
    const chunk = accounts.slice(i, i + SEED_CHUNK);
    tasks.push(() => Account.insertMany(chunk.map((a, j) => ({ _id: a.key, name: `Bench ${a.key}`, domain: `${a.key}.example.com`, employees: (i + j) % 4 === 0 ? 5000 : 300 })), { ordered: false }));
    tasks.push(() => Person.insertMany(chunk.map((a) => ({ _id: a.personId, email: a.email, firstName: 'Bench', lastName: a.key, jobTitle: 'CTO', accountKey: a.key })), { ordered: false }));
    tasks.push(() => Identity.insertMany(chunk.map((a) => ({ _id: identityKey('email', a.email), personId: a.personId, kind: 'email', value: a.email, accountKey: a.key })), { ordered: false }));
  }
  let done = 0;
  const start = Date.now();
  await forEachLimit(tasks, SEED_IN_FLIGHT, async (task) => {
    await within(task(), 120000, 'an insertMany of 1000 documents');
    if (++done % 10 === 0 || done === tasks.length) log(`journeys: seeded ${done}/${tasks.length} chunks, ${ratePerSecond(done * SEED_CHUNK, Date.now() - start)} documents/s`);
  });
}

async function createJourney(stack: BenchStack, name: string): Promise<{ id: string; live: LiveJourney }> {
  const created = await stack.api('POST', '/v1/journeys', definitionOf(name));
  expectStatus(created, [201], 'POST /v1/journeys');
  const id = created.body.id as string;
  const published = await stack.api('POST', `/v1/journeys/${id}/publish`);
  expectStatus(published, [200], `POST /v1/journeys/${id}/publish`);
  const version = published.body.version as number;
  const definition = (await within(versionOf(id, version), 30000, 'reading the published version')) as JourneyDefinition;
  return { id, live: { id, name, version, definition, state: 'active' } };
}

// --- Temporal histories: where the time goes.
type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];
const timeOf = (e: HistoryEvent) => tsToMs(e.eventTime);
const idOf = (e: HistoryEvent) => Number(e.eventId);

interface Leg {
  /** The anchor: the workflow's start, or the signal that woke it. */
  at: number;
  firstTaskStarted?: number;
  firstTaskCompleted?: number;
  activity?: { name: string; scheduled: number; started?: number; completed?: number };
}

/** From the anchor event on: the first workflow task, and the first activity with its start and completion. */
function legAfter(events: HistoryEvent[], anchor: number): Leg {
  const at = timeOf(events[anchor]);
  const leg: Leg = { at };
  let activityId: number | undefined;
  for (let i = anchor + 1; i < events.length; i++) {
    const e = events[i];
    if (e.workflowTaskStartedEventAttributes && leg.firstTaskStarted === undefined) leg.firstTaskStarted = timeOf(e);
    else if (e.workflowTaskCompletedEventAttributes && leg.firstTaskCompleted === undefined) leg.firstTaskCompleted = timeOf(e);
    else if (e.activityTaskScheduledEventAttributes && activityId === undefined) {
      activityId = idOf(e);
      leg.activity = { name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', scheduled: timeOf(e) };
    } else if (e.activityTaskStartedEventAttributes && activityId !== undefined && Number(e.activityTaskStartedEventAttributes.scheduledEventId) === activityId) leg.activity!.started = timeOf(e);
    else if (e.activityTaskCompletedEventAttributes && activityId !== undefined && Number(e.activityTaskCompletedEventAttributes.scheduledEventId) === activityId) {
      leg.activity!.completed = timeOf(e);
      break;
    }
  }
  return leg;
}

const events = (h: History) => (h.events ?? []) as HistoryEvent[];
const fetchHistory = (stack: BenchStack, workflowId: string) => within(stack.client.workflow.getHandle(workflowId).fetchHistory(), 30000, `fetching the history of ${workflowId}`);

/** A start, split into its legs, for instances sampled evenly over the launch order. */
async function startLegs(stack: BenchStack, journeyId: string, accounts: SeedAccount[], launchStart: number) {
  const step = Math.max(1, Math.floor(accounts.length / HISTORY_SAMPLES));
  const sampled = accounts.filter((_, i) => i % step === 0).slice(0, HISTORY_SAMPLES);
  const acceptedAfter: number[] = [];
  const firstTaskQueue: number[] = [];
  const firstTaskRun: number[] = [];
  const recordQueue: number[] = [];
  const recordRun: number[] = [];
  const startToRecorded: number[] = [];
  let failed = 0;
  await forEachLimit(sampled, HISTORY_IN_FLIGHT, async (a) => {
    try {
      const evs = events(await fetchHistory(stack, journeyWorkflowId(journeyId, a.key)));
      const started = evs.findIndex((e) => e.workflowExecutionStartedEventAttributes);
      if (started < 0) throw new Error('no start event');
      const leg = legAfter(evs, started);
      acceptedAfter.push(leg.at - launchStart);
      if (leg.firstTaskStarted !== undefined) firstTaskQueue.push(leg.firstTaskStarted - leg.at);
      if (leg.firstTaskStarted !== undefined && leg.firstTaskCompleted !== undefined) firstTaskRun.push(leg.firstTaskCompleted - leg.firstTaskStarted);
      const act = leg.activity;
      if (act?.started !== undefined) recordQueue.push(act.started - act.scheduled);
      if (act?.started !== undefined && act.completed !== undefined) recordRun.push(act.completed - act.started);
      if (act?.completed !== undefined) startToRecorded.push(act.completed - leg.at);
    } catch {
      failed++;
    }
  });
  return {
    sampledInstances: sampled.length,
    historiesUnread: failed,
    /** When Temporal accepted the start, after the launch began: the submission timeline. */
    startAcceptedAfterLaunchMs: summarize(acceptedAfter),
    /** Start accepted → the worker picks up its first workflow task (task queue backlog). */
    firstWorkflowTaskQueueMs: summarize(firstTaskQueue),
    firstWorkflowTaskRunMs: summarize(firstTaskRun),
    /** recordJourneyStep (the projection write): scheduled → picked up (activity backlog), and its run. */
    recordActivityQueueMs: summarize(recordQueue),
    recordActivityRunMs: summarize(recordRun),
    /** Start accepted → the projection says waiting. */
    startToRecordedWaitingMs: summarize(startToRecorded),
  };
}

// --- Launch and settle, shared by the API launch and the baseline.
interface LaunchOutcome {
  submitMs: number;
  allWaitingPolledMs: number | null;
  allWaitingRecordedMs: number | null;
  waiting: number;
  recordedAfterMs: ReturnType<typeof summarize>;
  /** Instances already recorded as waiting when the last start was accepted. */
  waitingWhenSubmitted: number;
  peakRssMB: number;
  peakCachedWorkflows: number;
}

async function launchAndSettle(
  stack: BenchStack,
  journeyId: string,
  expected: number,
  submit: () => Promise<void>,
  log: ScenarioContext['log'],
  what: string,
): Promise<{ start: number } & LaunchOutcome> {
  let peakRss = 0;
  let peakCached = 0;
  let lastLogged = 0;
  const start = Date.now();
  let submitMs = -1;
  const submitting = submit().then(() => (submitMs = Date.now() - start));
  const settled = await waitForProgress(
    async () => {
      const n = await JourneyInstance.countDocuments({ journeyId, status: 'waiting' });
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakCached = Math.max(peakCached, stack.worker.getStatus().numCachedWorkflows);
      if (Date.now() - lastLogged > 10000 || n >= expected) {
        lastLogged = Date.now();
        log(`journeys: ${what}: ${n}/${expected} waiting after ${((Date.now() - start) / 1000).toFixed(1)} s${submitMs >= 0 ? ` (submitted in ${(submitMs / 1000).toFixed(1)} s)` : ''}, rss ${mb(process.memoryUsage().rss)} MB, ${stack.worker.getStatus().numCachedWorkflows} cached`);
      }
      return n;
    },
    (n) => n >= expected,
    { stallMs: STALL_MS, maxMs: 300000 + expected * 100, everyMs: COUNT_POLL_MS },
  );
  const polledMs = Date.now() - start;
  // The submission is bounded by the API's request timeout (and the baseline's own bound).
  await submitting;
  // Each instance's own time, read once: the count above has a 2 s resolution.
  const docs = await within(JourneyInstance.find({ journeyId }, { status: 1, updatedAt: 1 }).lean(), 120000, 'reading the instances');
  const recorded = docs.filter((d) => d.status === 'waiting').map((d) => d.updatedAt.getTime() - start);
  return {
    start,
    submitMs,
    allWaitingPolledMs: settled.done ? polledMs : null,
    allWaitingRecordedMs: settled.done ? Math.max(...recorded) : null,
    waiting: recorded.length,
    recordedAfterMs: summarize(recorded),
    waitingWhenSubmitted: recorded.filter((ms) => ms <= submitMs).length,
    peakRssMB: mb(peakRss),
    peakCachedWorkflows: peakCached,
  };
}

function rates(n: number, o: LaunchOutcome) {
  const after = o.allWaitingRecordedMs !== null ? o.allWaitingRecordedMs - o.submitMs : null;
  return {
    apiJourneysPerSecond: ratePerSecond(n, o.submitMs),
    waitingJourneysPerSecond: o.allWaitingRecordedMs !== null ? ratePerSecond(n, o.allWaitingRecordedMs) : null,
    /** The worker's pace while starts were still being submitted, and after. */
    waitingPerSecondWhileSubmitting: ratePerSecond(o.waitingWhenSubmitted, o.submitMs),
    waitingPerSecondAfterSubmitting: after !== null && after > 0 ? ratePerSecond(n - o.waitingWhenSubmitted, after) : null,
  };
}

async function stopAndSettle(stack: BenchStack, journeyId: string, expected: number, log: ScenarioContext['log'], what: string) {
  const start = Date.now();
  let apiMs: number | null = null;
  let apiError: string | null = null;
  let instances: number | null = null;
  const stopping = stack
    .api('POST', `/v1/journeys/${journeyId}/stop`)
    .then((res) => {
      apiMs = Date.now() - start;
      if (res.status !== 202) apiError = `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      else instances = res.body.instances as number;
    })
    .catch((err: Error) => void (apiError = err.message));
  const settled = await waitForProgress(
    async () => expected - (await JourneyInstance.countDocuments({ journeyId, status: 'waiting' })),
    (n) => n >= expected,
    { stallMs: STALL_MS, maxMs: 300000 + expected * 100, everyMs: COUNT_POLL_MS },
  );
  await stopping;
  const ms = Date.now() - start;
  log(`journeys: ${what} stopped: API ${apiMs ?? '-'} ms${apiError ? ` (${apiError})` : ''}, none waiting after ${settled.done ? ms : `- (still ${expected - settled.value})`} ms`);
  return { apiMs, apiError, instancesSignalled: instances, noneWaitingMs: settled.done ? ms : null, stillWaiting: expected - settled.value, stopsPerSecond: settled.done ? ratePerSecond(expected, ms) : null };
}

interface Target {
  account: SeedAccount;
  workflowId: string;
  eventId: string;
  sentAt?: number;
  postMs?: number;
  branchedAt?: number;
  lastPolled: number;
  busy: boolean;
  done: boolean;
}

/** The legs of each event: account signal, applyEvents, journey signal, the journey's projection write. */
async function eventLegs(stack: BenchStack, targets: Target[]) {
  const accountSignalled: number[] = [];
  const accountTaskQueue: number[] = [];
  const accountTaskRun: number[] = [];
  const applyQueue: number[] = [];
  const applyRun: number[] = [];
  const journeySignalled: number[] = [];
  const journeyTaskQueue: number[] = [];
  const journeyTaskRun: number[] = [];
  const branchDecided: number[] = [];
  const recordQueue: number[] = [];
  const recordRun: number[] = [];
  const journeyRecorded: number[] = [];
  let failed = 0;
  const resolved = targets.filter((t) => t.branchedAt !== undefined);
  await forEachLimit(resolved, HISTORY_IN_FLIGHT, async (t) => {
    const sentAt = t.sentAt!;
    try {
      const acc = events(await fetchHistory(stack, `account:${t.account.key}`));
      const sig = acc.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === eventsSignal.name && timeOf(e) >= sentAt);
      if (sig >= 0) {
        const leg = legAfter(acc, sig);
        accountSignalled.push(leg.at - sentAt);
        if (leg.firstTaskStarted !== undefined) accountTaskQueue.push(leg.firstTaskStarted - leg.at);
        if (leg.firstTaskStarted !== undefined && leg.firstTaskCompleted !== undefined) accountTaskRun.push(leg.firstTaskCompleted - leg.firstTaskStarted);
        if (leg.activity?.started !== undefined) applyQueue.push(leg.activity.started - leg.activity.scheduled);
        if (leg.activity?.started !== undefined && leg.activity.completed !== undefined) applyRun.push(leg.activity.completed - leg.activity.started);
      }
      const jny = events(await fetchHistory(stack, t.workflowId));
      const jsig = jny.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === journeyEventsSignal.name && timeOf(e) >= sentAt);
      if (jsig >= 0) {
        const leg = legAfter(jny, jsig);
        journeySignalled.push(leg.at - sentAt);
        if (leg.firstTaskStarted !== undefined) journeyTaskQueue.push(leg.firstTaskStarted - leg.at);
        if (leg.firstTaskStarted !== undefined && leg.firstTaskCompleted !== undefined) journeyTaskRun.push(leg.firstTaskCompleted - leg.firstTaskStarted);
        if (leg.firstTaskCompleted !== undefined) branchDecided.push(leg.firstTaskCompleted - sentAt);
        const act = leg.activity;
        if (act?.started !== undefined) recordQueue.push(act.started - act.scheduled);
        if (act?.started !== undefined && act.completed !== undefined) recordRun.push(act.completed - act.started);
        if (act?.completed !== undefined) journeyRecorded.push(act.completed - sentAt);
      }
    } catch {
      failed++;
    }
  });
  return {
    historiesRead: resolved.length - failed,
    historiesUnread: failed,
    /** Sent → the account workflow has the event (the POST's own work ends about here). */
    accountSignalledAfterMs: summarize(accountSignalled),
    /** Account signal → its workflow task picked up, and that task's run (replayed when out of the cache). */
    accountTaskQueueMs: summarize(accountTaskQueue),
    accountTaskRunMs: summarize(accountTaskRun),
    /** applyEvents: scheduled → picked up, and its run (scoring, segments, then the signal to the journeys). */
    applyEventsQueueMs: summarize(applyQueue),
    applyEventsRunMs: summarize(applyRun),
    /** Sent → the journey workflow has the event. */
    journeySignalledAfterMs: summarize(journeySignalled),
    /** Journey signal → its workflow task picked up, and that task's run (a workflow out of the cache is replayed in it). */
    journeyTaskQueueMs: summarize(journeyTaskQueue),
    journeyTaskRunMs: summarize(journeyTaskRun),
    /** Sent → the workflow has taken the branch (the task that schedules the 'hot' step completed). */
    branchDecidedAfterMs: summarize(branchDecided),
    /** recordJourneyStep for 'hot': scheduled → picked up (activity backlog), and its run. */
    recordActivityQueueMs: summarize(recordQueue),
    recordActivityRunMs: summarize(recordRun),
    /** Sent → the projection says 'hot' (recordJourneyStep completed). */
    journeyRecordedAfterMs: summarize(journeyRecorded),
  };
}

/** One equality at a time: `$in` is a full decode on the embedded database. */
async function cleanUp(accounts: SeedAccount[], journeyIds: string[], eventIds: string[], targetKeys: string[]): Promise<void> {
  await forEachLimit(eventIds, 8, async (_id) => {
    await PendingEvent.deleteOne({ _id });
    await Interaction.deleteOne({ _id });
  });
  // Only the accounts that had events have score events and outbound messages.
  await forEachLimit(targetKeys, 8, async (accountKey) => {
    await ScoreEvent.deleteMany({ accountKey });
    await OutboundMessage.deleteMany({ accountKey });
  });
  for (const id of journeyIds) await forEachLimit(accounts, 8, async (a) => void (await JourneyInstance.deleteOne({ _id: journeyWorkflowId(id, a.key) })));
  for (const id of journeyIds) {
    await JourneyVersion.deleteOne({ _id: `${id}:v1` });
    await Journey.deleteOne({ _id: id });
  }
  await forEachLimit(accounts, 8, async (a) => {
    await Identity.deleteOne({ _id: identityKey('email', a.email) });
    await Person.deleteOne({ _id: a.personId });
    await Account.deleteOne({ _id: a.key });
  });
}

export const journeys: Scenario = async ({ stack, people, seconds, log }) => {
  const n = people;
  const accounts = generate(n);
  const runTag = newId('r').slice(2, 10);
  const journeyIds: string[] = [];
  const eventIds: string[] = [];
  const rand = mulberry32(20261124);
  // The event targets, chosen now: their account workflows are woken before the launch.
  const pool = [...accounts];
  for (let k = pool.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [pool[k], pool[j]] = [pool[j], pool[k]];
  }
  const chosen = pool.slice(0, Math.min(MAX_EVENTS, seconds * EVENTS_PER_SECOND, n));
  const machine = { loadAvg1m5m15mAtStart: os.loadavg().map(round), cpus: os.cpus().length, totalMemMB: mb(os.totalmem()) };
  log(`journeys: ${n} accounts of one person each; machine load ${machine.loadAvg1m5m15mAtStart.join(' ')} on ${machine.cpus} cpus; inserting accounts, people and identities`);
  try {
    // --- Seed.
    const seedStart = Date.now();
    await seed(accounts, log);
    const seedMs = Date.now() - seedStart;

    // Wake the target accounts' workflows (a live account has one; these were written straight in).
    const warmStart = Date.now();
    const warmIds = chosen.map((a) => `${PREFIX}-warm-${runTag}-${a.key}`);
    eventIds.push(...warmIds);
    for (let i = 0; i < chosen.length; i += 1000) {
      const batch = chosen.slice(i, i + 1000).map((a, j) => ({ eventId: warmIds[i + j], type: 'email_open', occurredAt: new Date().toISOString(), person: { email: a.email }, accountKey: a.key }));
      expectStatus(await stack.api('POST', '/v1/events', { events: batch }), [202], 'POST /v1/events (warm-up)');
    }
    const cold = new Set(chosen.map((a) => a.key));
    await waitFor(
      async () => {
        for (const key of [...cold]) if ((await Account.findOne({ _id: key }, { lastBatchId: 1 }).lean())?.lastBatchId) cold.delete(key);
        return cold.size === 0 ? true : undefined;
      },
      WARM_UP_MS,
      500,
    );
    const warmMs = Date.now() - warmStart;
    log(`journeys: seeded in ${(seedMs / 1000).toFixed(1)} s; ${chosen.length - cold.size}/${chosen.length} target account workflows woken in ${(warmMs / 1000).toFixed(1)} s`);

    const gc = forcedGc();
    const snapshot = () => {
      const raw = memory();
      gc.gc?.();
      return { withoutGc: raw, afterGc: gc.gc ? memory() : null, worker: workerStatus(stack), peakRssSoFarMB: peakRssMb() };
    };
    const memoryBefore = snapshot();

    // --- (1) Launch through the API.
    const { id: journeyId } = await createJourney(stack, `Bench whitepaper ${runTag}`);
    journeyIds.push(journeyId);
    const calls: number[] = [];
    const launched = { started: 0, alreadyRunning: 0, alreadyEntered: 0, rejected: 0 };
    const launchErrors: string[] = [];
    const chunks: SeedAccount[][] = [];
    for (let i = 0; i < n; i += LAUNCH_CALL) chunks.push(accounts.slice(i, i + LAUNCH_CALL));
    log(`journeys: launching ${journeyId} for ${n} accounts (${chunks.length} calls of ≤ ${LAUNCH_CALL}, ${LAUNCH_PARALLEL} at a time)`);
    const loadLaunch = processLoad(stack.config.DATA_DIR);
    const launch = await launchAndSettle(
      stack,
      journeyId,
      n,
      () =>
        forEachLimit(chunks, LAUNCH_PARALLEL, async (chunk) => {
          const s = Date.now();
          try {
            const res = await stack.api('POST', `/v1/journeys/${journeyId}/launch`, { accountKeys: chunk.map((a) => a.key) });
            calls.push(Date.now() - s);
            expectStatus(res, [202], 'POST /v1/journeys/:id/launch');
            launched.started += res.body.started;
            launched.alreadyRunning += res.body.alreadyRunning;
            launched.alreadyEntered += res.body.alreadyEntered;
            launched.rejected += res.body.rejected.length;
          } catch (err) {
            launchErrors.push((err as Error).message.slice(0, 300));
          }
        }),
      log,
      'API launch',
    );
    const launchLoad = loadLaunch();
    log(`journeys: API launch: calls answered after ${launch.submitMs} ms, all waiting after ${launch.allWaitingRecordedMs ?? '-'} ms (${JSON.stringify(rates(n, launch))})`);

    // --- (2) Memory with every instance waiting.
    const memoryWaiting = snapshot();
    const legs = await startLegs(stack, journeyId, accounts, launch.start);
    log(`journeys: memory rss ${memoryBefore.withoutGc.rssMB} → ${memoryWaiting.withoutGc.rssMB} MB (after GC ${memoryWaiting.afterGc?.rssMB ?? '-'} MB), ${memoryWaiting.worker.cachedWorkflows} workflows cached of at most ${stack.worker.options.maxCachedWorkflows}; start legs ${JSON.stringify(legs.startToRecordedWaitingMs)}`);

    // --- (3) Event → branch. First the stack's own background work with every instance waiting and no load.
    const idle = processLoad(stack.config.DATA_DIR);
    await sleep(IDLE_MS);
    const idleLoad = idle();
    log(`journeys: idle with ${launch.waiting} waiting: ${JSON.stringify(idleLoad.stackCpuPercent)} % of a core`);
    const targets: Target[] = chosen.map((a, k) => ({ account: a, workflowId: journeyWorkflowId(journeyId, a.key), eventId: `${PREFIX}-evt-${runTag}-${k}`, lastPolled: 0, busy: false, done: false }));
    eventIds.push(...targets.map((t) => t.eventId));
    const latencies: number[] = [];
    const postLatency: number[] = [];
    let failedPosts = 0;
    let skippedTicks = 0;
    let inFlight = 0;
    let polls = 0;
    let pollErrors = 0;
    const read = async (t: Target) => {
      polls++;
      const i = await within(JourneyInstance.findOne({ _id: t.workflowId }, { nodeId: 1, status: 1 }).lean(), 30000, 'reading an instance');
      const seenAt = Date.now();
      if (!t.done && i && BRANCH_NODES.has(i.nodeId)) {
        t.done = true;
        t.branchedAt = seenAt;
        latencies.push(seenAt - t.sentAt!);
      }
    };
    let polling = true;
    const poller = async () => {
      while (polling) {
        // The sent, unresolved target whose next read is due first.
        let next: Target | undefined;
        let nextDue = Infinity;
        for (const t of targets) {
          if (t.sentAt === undefined || t.done || t.busy) continue;
          const due = t.lastPolled === 0 ? t.sentAt + MIN_REPOLL_MS : t.lastPolled + Math.min(MAX_REPOLL_MS, Math.max(MIN_REPOLL_MS, (t.lastPolled - t.sentAt) * REPOLL_FRACTION));
          if (due < nextDue) [next, nextDue] = [t, due];
        }
        if (!next || nextDue > Date.now()) {
          await sleep(5);
          continue;
        }
        next.busy = true;
        next.lastPolled = Date.now();
        await read(next).catch(() => void pollErrors++);
        next.busy = false;
      }
    };
    const pollers = Promise.all(Array.from({ length: POLLERS }, poller));
    const send = async (t: Target) => {
      inFlight++;
      t.sentAt = Date.now();
      try {
        const res = await stack.api('POST', '/v1/events', { events: [{ eventId: t.eventId, type: EVENT, occurredAt: new Date().toISOString(), person: { email: t.account.email }, accountKey: t.account.key }] });
        t.postMs = Date.now() - t.sentAt;
        postLatency.push(t.postMs);
        if (res.status !== 202 || res.body.accepted !== 1) throw new Error(`HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      } catch (err) {
        failedPosts++;
        t.done = true;
        log(`journeys: event for ${t.account.key} failed: ${(err as Error).message}`);
      } finally {
        inFlight--;
      }
    };
    const loadEvents = processLoad(stack.config.DATA_DIR);
    log(`journeys: ${targets.length} ${EVENT} events at ${EVENTS_PER_SECOND}/s`);
    const sending = new Set<Promise<void>>();
    const sendStart = Date.now();
    let sent = 0;
    for (const [k, t] of targets.entries()) {
      const due = sendStart + k * TICK_MS;
      if (due > Date.now()) await sleep(due - Date.now());
      if (inFlight >= MAX_IN_FLIGHT) {
        skippedTicks++;
        continue;
      }
      sent++;
      const p = send(t);
      sending.add(p);
      void p.finally(() => sending.delete(p));
    }
    await Promise.all(sending);
    const sendMs = Date.now() - sendStart;
    const tailStart = Date.now();
    await waitFor(async () => (targets.every((t) => t.sentAt === undefined || t.done) ? true : undefined), TAIL_MS, 50);
    const tailMs = Date.now() - tailStart;
    polling = false;
    await pollers;
    const eventLoad = loadEvents();
    const unresolved = targets.filter((t) => t.sentAt !== undefined && !t.done);
    if (unresolved.length) log(`journeys: ${unresolved.length} instances not at 'hot' ${TAIL_MS / 1000} s after the last event (e.g. ${unresolved[0].workflowId})`);
    const branchLegs = await eventLegs(stack, targets);
    const eventToBranch = {
      accountsWaiting: launch.waiting,
      targetEventsPerSecond: EVENTS_PER_SECOND,
      achievedEventsPerSecond: ratePerSecond(sent - failedPosts, sendMs),
      eventsSent: sent,
      failedPosts,
      skippedTicks,
      latencyMs: summarize(latencies),
      unresolvedAfterTail: unresolved.length,
      tailDrainMs: tailMs,
      pollResolution: `re-read after ${REPOLL_FRACTION * 100}% of the time since the event, ${MIN_REPOLL_MS}-${MAX_REPOLL_MS} ms`,
      postLatencyMs: summarize(postLatency),
      instancePolls: polls,
      instancePollsPerSecond: ratePerSecond(polls, sendMs + tailMs),
      pollErrors,
      legs: branchLegs,
      targetAccountWorkflowsWoken: chosen.length - cold.size,
      benchProcess: eventLoad,
      /** The same figures over 5 s just before, with no events and no polls. */
      idleBefore: idleLoad,
    };
    log(`journeys: event → branch p50 ${eventToBranch.latencyMs.p50} ms, p99 ${eventToBranch.latencyMs.p99} ms, max ${eventToBranch.latencyMs.max} ms over ${latencies.length} events (POST p50 ${eventToBranch.postLatencyMs.p50} ms)`);

    // --- (4) Stop.
    const stop = await stopAndSettle(stack, journeyId, launch.waiting - latencies.length, log, 'API-launched journey');
    const memoryAfterStop = snapshot();

    // --- Baseline (a): the same starts without the API: startJourney in this process, as many at a time.
    const { id: baselineId, live: baselineLive } = await createJourney(stack, `Bench whitepaper baseline ${runTag}`);
    journeyIds.push(baselineId);
    const baselineConcurrency = LAUNCH_PARALLEL * API_CONCURRENCY;
    const outcomes: Record<string, number> = {};
    let baselineErrors = 0;
    log(`journeys: baseline: startJourney for ${n} accounts on ${baselineId}, ${baselineConcurrency} at a time`);
    const loadBaseline = processLoad(stack.config.DATA_DIR);
    const delivery = { client: stack.client, taskQueue: stack.config.TASK_QUEUE, historyLimit: stack.config.ACCOUNT_HISTORY_LIMIT };
    const baseline = await launchAndSettle(
      stack,
      baselineId,
      n,
      () =>
        within(
          forEachLimit(accounts, baselineConcurrency, async (a) => {
            try {
              const o = await within(startJourney(delivery, baselineLive, a.key), 60000, 'startJourney');
              outcomes[o] = (outcomes[o] ?? 0) + 1;
            } catch {
              baselineErrors++;
            }
          }),
          300000 + n * 100,
          'the baseline starts',
        ).catch((err: Error) => log(`journeys: baseline: ${err.message}`)),
      log,
      'baseline startJourney',
    );
    const baselineLoad = loadBaseline();
    const baselineLegs = await startLegs(stack, baselineId, accounts, baseline.start);
    log(`journeys: baseline: started in ${baseline.submitMs} ms, all waiting after ${baseline.allWaitingRecordedMs ?? '-'} ms (${JSON.stringify(rates(n, baseline))})`);
    const baselineStop = await stopAndSettle(stack, baselineId, baseline.waiting, log, 'baseline journey');

    // --- Baseline (b): a plain insertOne + findOne by _id, one at a time (the floor of write, then read back).
    const floor: number[] = [];
    const scratch = mongoose.connection.db!.collection<{ _id: string; at: Date }>(`bench_journeys_floor_${runTag}`);
    const roundTrips = async () => {
      for (let k = 0; k < Math.max(1, sent); k++) {
        const _id = `${runTag}-${k}`;
        const s = performance.now();
        await scratch.insertOne({ _id, at: new Date() });
        await scratch.findOne({ _id });
        floor.push(performance.now() - s);
      }
    };
    await within(roundTrips(), 120000, 'the insertOne + findOne baseline');
    await within(scratch.drop(), 30000, 'dropping the scratch collection').catch(() => undefined);

    const baselineRates = rates(n, baseline);
    const cachedGrowth = memoryWaiting.worker.cachedWorkflows - memoryBefore.worker.cachedWorkflows;
    const perCached = cachedGrowth > 0 ? (memoryWaiting.withoutGc.rssMB - memoryBefore.withoutGc.rssMB) / cachedGrowth : NaN;
    return {
      figures: {
        seed: { accounts: n, peoplePerAccount: 1, seedMs, targetAccountsWokenMs: warmMs, machine },
        launch: {
          journeyId,
          accounts: n,
          callSize: LAUNCH_CALL,
          callsInParallel: LAUNCH_PARALLEL,
          apiConcurrencyPerCall: API_CONCURRENCY,
          ...launched,
          callErrors: launchErrors,
          apiMs: launch.submitMs,
          callMs: summarize(calls),
          allWaitingMs: launch.allWaitingRecordedMs,
          allWaitingPolledMs: launch.allWaitingPolledMs,
          pollEveryMs: COUNT_POLL_MS,
          waiting: launch.waiting,
          waitingWhenSubmitted: launch.waitingWhenSubmitted,
          ...rates(n, launch),
          /** Each instance recorded as waiting, after the launch began. */
          recordedWaitingAfterMs: launch.recordedAfterMs,
          legs,
          benchProcess: launchLoad,
        },
        memory: {
          note: 'one process: the worker (main thread + its workflow thread), the API, the Temporal client and the load generator; heap figures are the main thread only (workflows run in the SDK worker thread, counted in rss); forced GC collects the main thread only',
          forcedGc: gc.how,
          maxCachedWorkflows: stack.worker.options.maxCachedWorkflows,
          reuseV8Context: stack.worker.options.reuseV8Context,
          workflowThreadPoolSize: stack.worker.options.workflowThreadPoolSize,
          beforeLaunch: memoryBefore,
          allWaiting: memoryWaiting,
          afterStop: memoryAfterStop,
          peakRssDuringLaunchMB: launch.peakRssMB,
          peakCachedWorkflowsDuringLaunch: launch.peakCachedWorkflows,
          rssGrowthMB: round(memoryWaiting.withoutGc.rssMB - memoryBefore.withoutGc.rssMB),
          rssGrowthAfterGcMB: memoryWaiting.afterGc && memoryBefore.afterGc ? round(memoryWaiting.afterGc.rssMB - memoryBefore.afterGc.rssMB) : null,
          cachedWorkflowsGrowth: cachedGrowth,
          /** rss growth over the growth of the worker's workflow cache (the instances beyond the cache are evicted: in Temporal, not in memory). */
          rssGrowthPerCachedWorkflowKB: round(perCached * 1024),
        },
        eventToBranch,
        stop,
      },
      baseline: {
        startJourneyInProcess: {
          journeyId: baselineId,
          accounts: n,
          concurrency: baselineConcurrency,
          outcomes,
          errors: baselineErrors,
          startMs: baseline.submitMs,
          allWaitingMs: baseline.allWaitingRecordedMs,
          allWaitingPolledMs: baseline.allWaitingPolledMs,
          waiting: baseline.waiting,
          startJourneysPerSecond: baselineRates.apiJourneysPerSecond,
          waitingJourneysPerSecond: baselineRates.waitingJourneysPerSecond,
          waitingPerSecondWhileSubmitting: baselineRates.waitingPerSecondWhileSubmitting,
          waitingPerSecondAfterSubmitting: baselineRates.waitingPerSecondAfterSubmitting,
          waitingWhenSubmitted: baseline.waitingWhenSubmitted,
          recordedWaitingAfterMs: baseline.recordedAfterMs,
          legs: baselineLegs,
          peakRssMB: baseline.peakRssMB,
          benchProcess: baselineLoad,
          stop: baselineStop,
          note: 'runs after the API launch and its stop: Temporal and the projection already hold N stopped instances',
        },
        insertOneFindOneMs: summarize(floor),
      },
    };
  } finally {
    const t = Date.now();
    await within(cleanUp(accounts, journeyIds, eventIds, chosen.map((a) => a.key)), 900000, 'removing the scenario data').catch((err: Error) => log(`journeys: clean-up: ${err.message}`));
    log(`journeys: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
