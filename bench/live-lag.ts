// Live events beside background work (issue 15 §4: "newly posted events keep
// lag p99 ≤ 2 s, the same as idle"). A few accounts of their own, outside the
// scenario's seed (included in the background job, but no event of the seed
// is theirs), get events from an open-loop sender at a modest rate: once idle,
// before the job starts, and again from its start until it completes (a
// re-score, a segment's evaluation). Pollers read the accounts' activity
// counters until each event shows, as ingest-lag does; the lag is sent → seen.
import { processLoad, PhaseLoad } from './load';
import { sendOpenLoop } from './open-loop';
import { everyMs, Polled, startPollers } from './pollers';
import { forEachLimit, waitForProgress, within } from './scenario';
import type { AnyStack } from './stack';
import { ratePerSecond, summarize, Summary } from './stats';

export const LIVE_ACCOUNTS = 20;
const LIVE_PEOPLE_PER_ACCOUNT = 5;
/** One event a tick: 10 events/s. */
const TICK_MS = 100;
/** POSTs allowed in flight: beyond that a tick is skipped and the achieved rate drops. */
const MAX_IN_FLIGHT = 20;
const POLLERS = 4;
/** An account is not read again sooner than this: the lag's resolution, and a cap on poll load. */
const MIN_REPOLL_MS = 25;
/** After the sending, how long unresolved events are still waited for. */
const TAIL_MS = 60000;
export const LIVE_LAG_GOAL_MS = 2000;
/** The lag is also given by when the event was sent, in windows of this long from the phase's start. */
const WINDOW_MS = 10000;

interface Target {
  threshold: number;
  sentAt: number;
}

export interface LiveAccount extends Polled {
  key: string;
  emails: string[];
  /** Events this account should count once every accepted one is applied. */
  expected: number;
  targets: Target[];
  total: number;
}

export interface LivePhase {
  sendMs: number;
  eventsSent: number;
  eventsAccepted: number;
  achievedEventsPerSecond: number;
  failedPosts: number;
  skippedTicks: number;
  lagMs: Summary;
  /** By send time: fromS is the window's start, in seconds from the phase's start. */
  lagBySendWindow: ({ fromS: number } & Summary)[];
  lagUnresolvedAfterTail: number;
  tailDrainMs: number;
  postLatencyMs: Summary;
  accountPolls: number;
  pollErrors: number;
  process: PhaseLoad;
}

/** `prefix` per scenario: event ids stay unique when several scenarios run in one stack. */
export function liveAccounts(prefix: string): LiveAccount[] {
  return Array.from({ length: LIVE_ACCOUNTS }, (_, i) => ({
    key: `${prefix}-${i}`,
    emails: Array.from({ length: LIVE_PEOPLE_PER_ACCOUNT }, (_, j) => `l${j}@${prefix}-${i}.example.com`),
    expected: LIVE_PEOPLE_PER_ACCOUNT,
    targets: [],
    total: 0,
    lastPolled: 0,
    busy: false,
  }));
}

/** One event a person, posted with the seed: the live people exist and are scored by the first model. */
export const liveSeedEvents = (accounts: LiveAccount[], now: number) =>
  accounts.flatMap((a) => a.emails.map((email, j) => ({ eventId: `${a.key}-seed-${j}`, type: 'email_open' as const, occurredAt: new Date(now - 60000).toISOString(), person: { email }, accountKey: a.key })));

export const livePeople = (accounts: LiveAccount[]) => accounts.reduce((n, a) => n + a.emails.length, 0);

interface Lag {
  sentAt: number;
  ms: number;
}

async function readAccount(stack: AnyStack, a: LiveAccount, lags: Lag[]) {
  const res = await stack.api('GET', `/v1/accounts/${a.key}`);
  const seenAt = Date.now();
  if (res.status !== 200) throw new Error(`GET /v1/accounts/${a.key}: HTTP ${res.status}`);
  a.total = res.body.activity?.total ?? 0;
  while (a.targets.length && a.targets[0].threshold <= a.total) {
    const { sentAt } = a.targets.shift()!;
    lags.push({ sentAt, ms: seenAt - sentAt });
  }
}

/** Waits (bounded) until every live account counts its seed events, so the first lag is not a seed's. */
export async function liveSettled(stack: AnyStack, accounts: LiveAccount[]): Promise<boolean> {
  const read = async () => {
    await forEachLimit(accounts, 4, (a) => readAccount(stack, a, []).catch(() => undefined));
    return accounts.filter((a) => a.total >= a.expected).length;
  };
  return (await waitForProgress(read, (n) => n === accounts.length, { stallMs: 60000, maxMs: 120000, everyMs: 500 })).done;
}

/**
 * Sends 10 events/s for at most maxMs, or until stopWhen(), to random live
 * accounts, and measures each one's lag. A target's threshold is the account's
 * whole expected count, so an event resolves only once every earlier one
 * of its account is applied too (an earlier phase's stragglers included).
 */
export async function measureLiveLag(stack: AnyStack, accounts: LiveAccount[], phase: string, opts: { maxMs: number; stopWhen?: () => boolean }): Promise<LivePhase> {
  for (const a of accounts) a.targets = [];
  const lags: Lag[] = [];
  const postLatency: number[] = [];
  let sent = 0;
  let accepted = 0;
  let failedPosts = 0;
  const send = async (k: number) => {
    const a = accounts[Math.floor(Math.random() * accounts.length)];
    const event = { eventId: `${a.key}-${phase}-${k}`, type: k % 2 ? 'web_visit' : 'email_open', occurredAt: new Date().toISOString(), person: { email: a.emails[k % a.emails.length] }, accountKey: a.key };
    sent++;
    const sentAt = Date.now();
    // Registered before the POST: the event may be applied before the response returns.
    a.expected += 1;
    const target = { threshold: a.expected, sentAt };
    a.targets.push(target);
    let ok = false;
    try {
      const res = await stack.api('POST', '/v1/events', { events: [event] });
      postLatency.push(Date.now() - sentAt);
      accepted += res.body?.accepted ?? 0;
      ok = res.status === 202 && res.body.accepted === 1;
    } catch {
      // counted below
    }
    if (ok) return;
    // An event that did not go in never shows: out of the thresholds after it.
    failedPosts++;
    a.targets = a.targets.filter((t) => t !== target);
    for (const t of a.targets) if (t.threshold > target.threshold) t.threshold -= 1;
    a.expected -= 1;
  };
  const pollers = startPollers(accounts, { pollers: POLLERS, dueAt: everyMs<LiveAccount>(MIN_REPOLL_MS, (a) => a.targets.length > 0), read: (a) => readAccount(stack, a, lags) });
  const load = processLoad(stack.config.DATA_DIR);
  const start = Date.now();
  const sending = await sendOpenLoop({ ticks: Math.ceil(opts.maxMs / TICK_MS), tickMs: TICK_MS, maxInFlight: MAX_IN_FLIGHT, stopWhen: opts.stopWhen }, send);
  const tailMs = await pollers.drain(() => accounts.every((a) => a.targets.length === 0), TAIL_MS);
  const { polls, pollErrors } = await within(pollers.stop(), 60000, 'stopping the live pollers');
  return {
    sendMs: sending.sendMs,
    eventsSent: sent,
    eventsAccepted: accepted,
    achievedEventsPerSecond: ratePerSecond(accepted, sending.sendMs),
    failedPosts,
    skippedTicks: sending.skippedTicks,
    lagMs: summarize(lags.map((l) => l.ms)),
    lagBySendWindow: byWindow(lags, start),
    lagUnresolvedAfterTail: accounts.reduce((n, a) => n + a.targets.length, 0),
    tailDrainMs: tailMs,
    postLatencyMs: summarize(postLatency),
    accountPolls: polls,
    pollErrors,
    process: load(),
  };
}

function byWindow(lags: Lag[], start: number) {
  const windows = new Map<number, number[]>();
  for (const l of lags) {
    const w = Math.floor((l.sentAt - start) / WINDOW_MS);
    windows.set(w, [...(windows.get(w) ?? []), l.ms]);
  }
  return [...windows.entries()].sort(([a], [b]) => a - b).map(([w, ms]) => ({ fromS: (w * WINDOW_MS) / 1000, ...summarize(ms) }));
}

/** Both phases side by side, with the goal; `during` names the job's phase (`duringRescore`). */
export function liveLagFigures<K extends string>(accounts: LiveAccount[], idle: LivePhase, duringJob: LivePhase, during: K, job: string) {
  const met = (p: LivePhase) => p.lagMs.count > 0 && p.lagUnresolvedAfterTail === 0 && p.failedPosts === 0 && p.lagMs.p99 <= LIVE_LAG_GOAL_MS;
  return {
    accounts: accounts.length,
    people: livePeople(accounts),
    targetEventsPerSecond: 1000 / TICK_MS,
    idle,
    ...({ [during]: duringJob } as Record<K, LivePhase>),
    goal: `lag p99 ≤ ${LIVE_LAG_GOAL_MS} ms during ${job}, as idle`,
    goalMet: { idle: met(idle), ...({ [during]: met(duringJob) } as Record<K, boolean>) },
  };
}
