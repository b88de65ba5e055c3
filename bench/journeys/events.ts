// Event → branch: after IDLE_MS with nothing sent (the stack's idle CPU), an
// open-loop sender POSTs one whitepaper_download event to each target account
// (EVENTS_PER_SECOND; each account's workflow was woken before the launch, as
// a live account's is); pollers read each instance by _id until it is at
// 'hot' or 'done'. The account's and the journey's histories then split each
// latency into its legs (server timestamps). Every statement and Temporal call
// the API and the activities make meanwhile is counted per event (the pollers
// read through the driver, around the trace).
import mongoose from 'mongoose';
import { JourneyInstance } from '../../models/journey';
import { journeyWorkflowId } from '../../workflows/journey-messages';
import { monotonicMicros } from '../cpu-profile';
import { processLoad } from '../load';
import { byActivity, byKind, traceStatements } from '../ingest-max/trace';
import { sendOpenLoop } from '../open-loop';
import { backingOff, Polled, startPollers } from '../pollers';
import { ScenarioContext, sleep, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';
import type { SeedAccount } from './accounts';
import { BRANCH_NODES, EVENT, PREFIX } from './definition';
import { eventLegs, SentEvent } from './histories';

/** At most this many events, one account each, open loop. */
export const MAX_EVENTS = 200;
export const EVENTS_PER_SECOND = 10;
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
const IDLE_MS = 5000;

/** The instances' collection through the driver: the bench's reads stay out of the statement trace. */
const instances = () => mongoose.connection.db!.collection<{ _id: string; nodeId: string; status: string }>(JourneyInstance.collection.collectionName);

interface Target extends SentEvent, Polled {
  account: SeedAccount;
  eventId: string;
  postMs?: number;
  done: boolean;
}

/** `waiting` instances of the journey wait; `chosen` get an event each. */
export async function eventToBranch(stack: BenchStack, journeyId: string, chosen: SeedAccount[], waiting: number, runTag: string, log: ScenarioContext['log']) {
  // First the stack's own background work with every instance waiting and no load.
  const idle = processLoad(stack.config.DATA_DIR);
  await sleep(IDLE_MS);
  const idleLoad = idle();
  log(`journeys: idle with ${waiting} waiting: ${JSON.stringify(idleLoad.stackCpuPercent)} % of a core`);
  const targets: Target[] = chosen.map((a, k) => ({ account: a, accountKey: a.key, workflowId: journeyWorkflowId(journeyId, a.key), eventId: `${PREFIX}-evt-${runTag}-${k}`, lastPolled: 0, busy: false, done: false }));
  const latencies: number[] = [];
  const postLatency: number[] = [];
  let failedPosts = 0;
  const pollers = startPollers(targets, {
    pollers: POLLERS,
    // The sent, unresolved target whose next read is due first.
    dueAt: backingOff<Target>({ minMs: MIN_REPOLL_MS, maxMs: MAX_REPOLL_MS, fraction: REPOLL_FRACTION }, (t) => (t.done ? undefined : t.sentAt)),
    read: async (t) => {
      const i = await within(instances().findOne({ _id: t.workflowId }, { projection: { nodeId: 1, status: 1 } }), 30000, 'reading an instance');
      const seenAt = Date.now();
      if (!t.done && i && BRANCH_NODES.has(i.nodeId)) {
        t.done = true;
        t.branchedAt = seenAt;
        latencies.push(seenAt - t.sentAt!);
      }
    },
  });
  const send = async (k: number) => {
    const t = targets[k];
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
    }
  };
  const loadEvents = processLoad(stack.config.DATA_DIR);
  const trace = traceStatements(stack);
  const phaseFrom = monotonicMicros();
  log(`journeys: ${targets.length} ${EVENT} events at ${EVENTS_PER_SECOND}/s`);
  const sending = await sendOpenLoop({ ticks: targets.length, tickMs: TICK_MS, maxInFlight: MAX_IN_FLIGHT }, send);
  const { sent, sendMs, skippedTicks } = sending;
  const tailMs = await pollers.drain(() => targets.every((t) => t.sentAt === undefined || t.done), TAIL_MS);
  const { polls, pollErrors } = await pollers.stop();
  const eventLoad = loadEvents();
  const statements = trace.stop();
  log(`journeys: the event phase, for bench/cpu-profile.ts: --window=${phaseFrom}-${monotonicMicros()}`);
  const unresolved = targets.filter((t) => t.sentAt !== undefined && !t.done);
  if (unresolved.length) log(`journeys: ${unresolved.length} instances not at 'hot' ${TAIL_MS / 1000} s after the last event (e.g. ${unresolved[0].workflowId})`);
  const branchLegs = await eventLegs(stack, targets);
  const figures = {
    accountsWaiting: waiting,
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
    /** Statements and Temporal calls of the phase: the API's per event sent, each activity's per execution. */
    statements: { apiPerEvent: byKind(statements.filter((st) => !st.activity), sent), activities: byActivity(statements) },
    benchProcess: eventLoad,
    /** The same figures over IDLE_MS just before, with no events and no polls. */
    idleBefore: idleLoad,
  };
  log(`journeys: event → branch p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, max ${figures.latencyMs.max} ms over ${latencies.length} events (POST p50 ${figures.postLatencyMs.p50} ms)`);
  return { figures, eventIds: targets.map((t) => t.eventId), branched: latencies.length, sent };
}
