// (2) Lag: an open-loop sender PUTs /v1/people/<someone> with the title 'CTO'
// in up to 200 accounts without a decision maker (10/s); pollers read each
// group by _id until its completeness is the new one.
import { assembleGroup } from '../../domain/buying-groups/assign';
import { BuyingGroup } from '../../models/buying-group';
import { processLoad } from '../load';
import { sendOpenLoop } from '../open-loop';
import { everyMs, Polled, startPollers } from '../pollers';
import { ScenarioContext, within } from '../scenario';
import { mulberry32 } from '../segment-data';
import type { BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';
import { candidatesOf, PEOPLE_PER_ACCOUNT, ROLE_SLOTS, SeedAccount, SeedPerson, TEMPLATE_PARSED } from './seed';

/** At most this many updates, one account each, open loop. */
const MAX_UPDATES = 200;
const UPDATES_PER_SECOND = 10;
const TICK_MS = 1000 / UPDATES_PER_SECOND;
/** PUTs allowed in flight: beyond that a tick is skipped and the achieved rate drops. */
const MAX_IN_FLIGHT = 20;
const POLLERS = 8;
/** A group is not read again sooner than this: the lag's resolution, and a cap on poll load. */
const MIN_REPOLL_MS = 25;
const TAIL_MS = 60000;
export const NEW_TITLE = 'CTO';

interface Target extends Polled {
  account: SeedAccount;
  person: SeedPerson;
  expected: number;
  sentAt?: number;
  done: boolean;
}

/** `expected` and `actual`: each group's completeness in memory and as the refresh left it (only groups where they agree are updated). */
export async function updateLag(stack: BenchStack, accounts: SeedAccount[], expected: Map<string, number>, actual: Map<string, number | undefined>, seconds: number, log: ScenarioContext['log']) {
  // A neutral person in an account without a decision maker becomes CTO.
  const rand = mulberry32(7);
  const pool = accounts.map((a, i) => ({ a, i })).filter(({ a }) => !a.hasDecisionMaker && actual.get(a.groupId) === expected.get(a.groupId));
  for (let k = pool.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [pool[k], pool[j]] = [pool[j], pool[k]];
  }
  const targets: Target[] = pool.slice(0, Math.min(MAX_UPDATES, seconds * UPDATES_PER_SECOND)).map(({ a, i }) => {
    const person = a.people[ROLE_SLOTS.length + Math.floor(rand() * (PEOPLE_PER_ACCOUNT - ROLE_SLOTS.length))];
    const completeness = assembleGroup(TEMPLATE_PARSED, candidatesOf(a, i, { personId: person._id, jobTitle: NEW_TITLE })).completeness;
    return { account: a, person, expected: completeness, lastPolled: 0, busy: false, done: false };
  });
  const lags: number[] = [];
  const putLatency: number[] = [];
  let failedPuts = 0;

  const pollers = startPollers(targets, {
    pollers: POLLERS,
    // The sent, unresolved target read longest ago.
    dueAt: everyMs<Target>(MIN_REPOLL_MS, (t) => t.sentAt !== undefined && !t.done),
    read: async (t) => {
      const g = await within(BuyingGroup.findOne({ _id: t.account.groupId }, { completeness: 1 }).lean(), 30000, 'reading a group');
      const seenAt = Date.now();
      if (!t.done && g?.completeness === t.expected) {
        t.done = true;
        lags.push(seenAt - t.sentAt!);
      }
    },
  });

  const send = async (k: number) => {
    const t = targets[k];
    // Sent before the PUT returns: the group may follow before the response does.
    t.sentAt = Date.now();
    try {
      const res = await stack.api('PUT', `/v1/people/${encodeURIComponent(t.person.email)}`, { jobTitle: NEW_TITLE });
      putLatency.push(Date.now() - t.sentAt);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    } catch {
      failedPuts++;
      t.done = true;
    }
  };

  const load = processLoad(stack.config.DATA_DIR);
  log(`buying-groups: ${targets.length} person updates at ${UPDATES_PER_SECOND}/s`);
  const sending = await sendOpenLoop({ ticks: targets.length, tickMs: TICK_MS, maxInFlight: MAX_IN_FLIGHT }, send);
  const tailMs = await pollers.drain(() => targets.every((t) => t.sentAt === undefined || t.done), TAIL_MS);
  const { polls, pollErrors } = await pollers.stop();
  const unresolved = targets.filter((t) => t.sentAt !== undefined && !t.done);
  if (unresolved.length) log(`buying-groups: ${unresolved.length} groups still without their new completeness ${TAIL_MS / 1000} s after the last update (e.g. ${unresolved[0].account.groupId}, expected ${unresolved[0].expected})`);
  const figures = {
    targetUpdatesPerSecond: UPDATES_PER_SECOND,
    achievedUpdatesPerSecond: ratePerSecond(sending.sent - failedPuts, sending.sendMs),
    updatesSent: sending.sent,
    failedPuts,
    skippedTicks: sending.skippedTicks,
    lagMs: summarize(lags),
    unresolvedAfterTail: unresolved.length,
    tailDrainMs: tailMs,
    putLatencyMs: summarize(putLatency),
    groupPolls: polls,
    pollErrors,
    benchProcess: load(),
  };
  log(`buying-groups: update → completeness lag p50 ${figures.lagMs.p50} ms, p99 ${figures.lagMs.p99} ms, max ${figures.lagMs.max} ms over ${lags.length} updates`);
  /** The people updated: the floor updates the same ones. */
  return { figures, updated: targets.filter((t) => t.sentAt !== undefined).map((t) => t.person._id) };
}
