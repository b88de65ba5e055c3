// "How long until a buying group shows a person's new title, and how long does a
// refresh of 1,000 accounts take?" BENCH_PEOPLE / 20 accounts of 20 people each
// (BENCH_PEOPLE=20000: the 1,000 accounts). People and their email
// identities go straight into the database in the shape PUT /v1/people writes
// (20K PUTs at ~50/s would be 7 minutes of seeding, not what this measures);
// the accounts are then PUT through the API, so every account workflow runs and
// scores its people before anything is timed. Titles leave most groups partly
// filled and nine accounts in ten without a decision maker.
//
// (1) Refresh: the role template is saved, POST /v1/buying-groups for every
//     account; timed until every group has been evaluated (a count polled every
//     second, plus each group's evaluatedAt).
// (2) Lag: an open-loop sender PUTs /v1/people/<someone> with the title 'CTO' in
//     up to 200 accounts without a decision maker (10/s); pollers read each
//     group by _id until its completeness is the new one.
// Baselines in the same run: assembleGroup (the pure role assignment) over the
// same accounts in memory, and a plain updateOne of the same people by _id.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { assembleGroup, Candidate } from '../domain/buying-groups/assign';
import { roleTemplateSchema } from '../domain/buying-groups/template';
import { identityKey } from '../domain/identity';
import { newId } from '../lib/ids';
import { op } from '../lib/query';
import { activeModel } from '../lib/scoring-model-store';
import { Account } from '../models/account';
import { BuyingGroup, buyingGroupId } from '../models/buying-group';
import { Identity } from '../models/identity';
import { OutboundMessage } from '../models/outbound-message';
import { Person } from '../models/person';
import { RoleTemplateDoc } from '../models/role-template';
import { ScoreEvent } from '../models/score-event';
import { mulberry32 } from './segment-data';
import { expectStatus, forEachLimit, putAccounts, Scenario, ScenarioContext, sleep, waitFor, waitForProgress, within } from './scenario';
import { ratePerSecond, round, summarize } from './stats';

const PEOPLE_PER_ACCOUNT = 20;
const TEMPLATE_KEY = 'bench-seeds';
const INTEREST = 'AI-driven seeds';
const CHUNK = 1000;
const IN_FLIGHT = 4;
/** Settling and the refresh: no progress for this long means the engine is stuck, not slow. */
const STALL_MS = 120000;
const EVALUATED_POLL_MS = 1000;
const JOB_POLL_MS = 250;
/** Timed passes of the in-memory baseline over all accounts. */
const ASSEMBLE_PASSES = 5;

/** The lag phase: at most this many updates, one account each, open loop. */
const MAX_UPDATES = 200;
const UPDATES_PER_SECOND = 10;
const TICK_MS = 1000 / UPDATES_PER_SECOND;
/** PUTs allowed in flight: beyond that a tick is skipped and the achieved rate drops. */
const MAX_IN_FLIGHT = 20;
const POLLERS = 8;
/** A group is not read again sooner than this: the lag's resolution, and a cap on poll load. */
const MIN_REPOLL_MS = 25;
const TAIL_MS = 60000;

/** The seed's blueprint (test/buying-groups.test.ts): 40 + 25 + 20 + 15, complete at 80 with a decision maker. */
const TEMPLATE = {
  name: 'Bench AI-driven seeds roles',
  solutionInterest: INTEREST,
  completeAt: 80,
  roles: [
    { role: 'decision maker', weight: 40, required: true, when: { any: [{ field: 'person.jobTitle', op: 'contains', value: 'CTO' }, { field: 'person.jobTitle', op: 'contains', value: 'Chief Technology' }] } },
    { role: 'influencer', weight: 25, when: { field: 'person.department', op: 'eq', value: 'R&D' } },
    { role: 'champion', weight: 20, when: { field: 'person.seniority', op: 'in', value: ['manager', 'lead'] } },
    { role: 'sponsor', weight: 15, when: { field: 'person.jobTitle', op: 'contains', value: 'VP' } },
  ],
};
const TEMPLATE_PARSED = roleTemplateSchema.parse(TEMPLATE);
const NEW_TITLE = 'CTO';

type Profile = readonly [jobTitle: string, department: string, seniority: string];
// No neutral title contains 'cto' or 'vp' without case ("Director" and "Sector" would be decision makers).
const NEUTRAL: Profile[] = [
  ['Software Engineer', 'IT', 'senior'],
  ['Account Executive', 'Sales', 'entry'],
  ['Marketing Specialist', 'Marketing', 'junior'],
  ['Purchasing Specialist', 'Procurement', 'junior'],
  ['Data Analyst', 'Finance', 'senior'],
];
/** Slots 0-3 of each account, each filled with its role's profile by chance; the rest are neutral. */
const ROLE_SLOTS: { profile: Profile; chance: number }[] = [
  { profile: ['CTO', 'IT', 'c-level'], chance: 0.1 },
  { profile: ['Research Scientist', 'R&D', 'senior'], chance: 0.5 },
  { profile: ['Operations Manager', 'Operations', 'manager'], chance: 0.6 },
  { profile: ['VP Sales', 'Sales', 'vp'], chance: 0.3 },
];

interface SeedPerson {
  _id: string;
  email: string;
  firstName: string;
  lastName: string;
  jobTitle: string;
  department: string;
  seniority: string;
  accountKey: string;
}

interface SeedAccount {
  key: string;
  groupId: string;
  people: SeedPerson[];
  hasDecisionMaker: boolean;
}

function generate(accounts: number, seed = 20261201): SeedAccount[] {
  const rand = mulberry32(seed);
  let n = 0;
  return Array.from({ length: accounts }, (_, i) => {
    const key = `bgb-${i}`;
    const people = Array.from({ length: PEOPLE_PER_ACCOUNT }, (_, slot) => {
      const role = ROLE_SLOTS[slot];
      const [jobTitle, department, seniority] = role && rand() < role.chance ? role.profile : NEUTRAL[Math.floor(rand() * NEUTRAL.length)];
      const j = n++;
      return { _id: newId('p'), email: `p${j}@${key}.example.com`, firstName: 'Bench', lastName: `P${j}`, jobTitle, department, seniority, accountKey: key };
    });
    return { key, groupId: buyingGroupId(key, TEMPLATE_KEY), people, hasDecisionMaker: people[0].jobTitle === 'CTO' };
  });
}

const employeesOf = (i: number) => (i % 4 === 0 ? 5000 : 300);

/** Candidates as the engine builds them for assembleGroup: the person's fields and its account. */
function candidatesOf(a: SeedAccount, i: number, change?: { personId: string; jobTitle: string }): Candidate[] {
  const account = { key: a.key, name: `Bench ${a.key}`, domain: `${a.key}.example.com`, employees: employeesOf(i) };
  return a.people.map((p) => {
    const { _id, ...fields } = p;
    const person = { ...fields, personId: _id, ...(change?.personId === _id ? { jobTitle: change.jobTitle } : {}), score: 0, status: 'nurture' };
    return { personId: _id, context: { person, account }, behavior: 0 };
  });
}

/** People and their email identities, in the shape resolvePeople + PUT /v1/people write them. */
async function seedPeople(accounts: SeedAccount[], log: ScenarioContext['log']): Promise<void> {
  const people = accounts.flatMap((a) => a.people);
  const tasks: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < people.length; i += CHUNK) {
    const chunk = people.slice(i, i + CHUNK);
    tasks.push(() => Person.insertMany(chunk, { ordered: false }));
    tasks.push(() => Identity.insertMany(chunk.map((p) => ({ _id: identityKey('email', p.email), personId: p._id, kind: 'email', value: p.email, accountKey: p.accountKey })), { ordered: false }));
  }
  let done = 0;
  const start = Date.now();
  await forEachLimit(tasks, IN_FLIGHT, async (task) => {
    await within(task(), 120000, 'an insertMany of 1000 documents');
    if (++done % 10 === 0 || done === tasks.length) log(`buying-groups: seeded ${done}/${tasks.length} chunks, ${ratePerSecond(done * CHUNK, Date.now() - start)} documents/s`);
  });
}

/** One equality at a time: `$in` is a full decode on the embedded database. */
async function cleanUp(accounts: SeedAccount[]): Promise<void> {
  await RoleTemplateDoc.deleteOne({ _id: TEMPLATE_KEY });
  await forEachLimit(accounts, 8, async (a) => {
    await BuyingGroup.deleteOne({ _id: a.groupId });
    await OutboundMessage.deleteOne({ _id: `buying_group.shared:${a.groupId}` });
    await ScoreEvent.deleteMany({ accountKey: a.key });
    await Person.deleteMany({ accountKey: a.key });
    await Account.deleteOne({ _id: a.key });
  });
  await forEachLimit(accounts.flatMap((a) => a.people), 8, async (p) => void (await Identity.deleteOne({ _id: identityKey('email', p.email) })));
}

/** CPU and event-loop delay of this process (API, worker and load generator share it). */
function processLoad() {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const start = Date.now();
  return () => {
    loop.disable();
    const cpu = process.cpuUsage(cpuBefore);
    return {
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / Math.max(1, Date.now() - start)) * 100),
      eventLoopDelayMs: { p50: round(loop.percentile(50) / 1e6), p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) },
    };
  };
}

interface Target {
  account: SeedAccount;
  person: SeedPerson;
  expected: number;
  sentAt?: number;
  lastPolled: number;
  busy: boolean;
  done: boolean;
}

export const buyingGroups: Scenario = async ({ stack, people, seconds, log }) => {
  // An invalid body tells whether the route exists without creating anything.
  const probe = await stack.api('PUT', '/v1/role-templates/bench-probe', {});
  if (probe.status === 404 || probe.status === 405) {
    log('buying-groups: PUT /v1/role-templates not available');
    return { figures: {}, baseline: {}, skipped: 'PUT /v1/role-templates not available' };
  }

  const accountCount = Math.max(1, Math.floor(people / PEOPLE_PER_ACCOUNT));
  const accounts = generate(accountCount);
  const total = accountCount * PEOPLE_PER_ACCOUNT;
  const withoutDm = accounts.filter((a) => !a.hasDecisionMaker).length;
  log(`buying-groups: ${accountCount} accounts × ${PEOPLE_PER_ACCOUNT} people (${withoutDm} without a decision maker); inserting people and identities`);
  try {
    // --- Seed: people straight in, accounts through the API, then wait until every person is scored.
    const seedStart = Date.now();
    await seedPeople(accounts, log);
    const insertMs = Date.now() - seedStart;
    const putStart = Date.now();
    await putAccounts(stack, accounts.map((a) => a.key), employeesOf);
    const putAccountsMs = Date.now() - putStart;
    const { version } = await activeModel();
    log(`buying-groups: people in ${(insertMs / 1000).toFixed(1)} s, ${accountCount} accounts PUT in ${(putAccountsMs / 1000).toFixed(1)} s; waiting for the account workflows to score everyone (model v${version})`);
    const settleStart = Date.now();
    const settled = await waitForProgress(() => Person.countDocuments({ scoreModelVersion: version }), (n) => n >= total, { stallMs: STALL_MS, maxMs: 600000 + total * 20, everyMs: 1000 });
    const settleMs = Date.now() - settleStart;
    if (!settled.done) log(`buying-groups: only ${settled.value} of ${total} people scored after ${(settleMs / 1000).toFixed(0)} s; measuring anyway`);
    const seed = { accounts: accountCount, peoplePerAccount: PEOPLE_PER_ACCOUNT, people: total, accountsWithoutDecisionMaker: withoutDm, peopleInsertMs: insertMs, accountsPutMs: putAccountsMs, scoredSettleMs: settleMs, settled: settled.done, scoringModelVersion: version };

    // --- Baseline (a): the pure role assignment over the same accounts in memory.
    const candidates = accounts.map((a, i) => candidatesOf(a, i));
    const expectedBefore = new Map<string, number>();
    for (const [i, a] of accounts.entries()) expectedBefore.set(a.groupId, assembleGroup(TEMPLATE_PARSED, candidates[i]).completeness);
    // The pass above warmed the JIT; the total is the median of a few passes (one can catch a GC of the worker's garbage).
    const assemblePasses = Array.from({ length: ASSEMBLE_PASSES }, () => {
      const t = performance.now();
      for (const c of candidates) assembleGroup(TEMPLATE_PARSED, c);
      return performance.now() - t;
    });
    const assembleTotal = summarize(assemblePasses);
    const perAccountUs = candidates.map((c) => {
      const t = performance.now();
      assembleGroup(TEMPLATE_PARSED, c);
      return (performance.now() - t) * 1000;
    });
    const completenessSpread: Record<string, number> = {};
    for (const v of expectedBefore.values()) completenessSpread[v] = (completenessSpread[v] ?? 0) + 1;
    log(`buying-groups: assembleGroup over ${accountCount} accounts in memory: ${assembleTotal.p50} ms (median of ${ASSEMBLE_PASSES}); completeness spread ${JSON.stringify(completenessSpread)}`);

    // --- (1) Refresh: template, set-up for every account, until every group is evaluated.
    const put = await stack.api('PUT', `/v1/role-templates/${TEMPLATE_KEY}`, TEMPLATE);
    expectStatus(put, [200, 201], `PUT /v1/role-templates/${TEMPLATE_KEY}`);
    const loadRefresh = processLoad();
    const refreshStart = Date.now();
    const post = await stack.api('POST', '/v1/buying-groups', { solutionInterest: INTEREST, roleTemplate: TEMPLATE_KEY, accountKeys: accounts.map((a) => a.key) });
    const postMs = Date.now() - refreshStart;
    expectStatus(post, [202], 'POST /v1/buying-groups');
    const jobId = post.body.jobId as string;
    log(`buying-groups: set-up ${jobId} started (POST ${postMs} ms); polling the job and the evaluated groups`);

    let job: { status: string; result: unknown; ms: number } | undefined;
    const jobWatch = waitFor(
      async () => {
        const res = await stack.api('GET', `/v1/buying-groups/jobs/${jobId}`);
        return res.status === 200 && res.body.status !== 'running' ? { status: res.body.status as string, result: res.body.result, ms: Date.now() - refreshStart } : undefined;
      },
      600000,
      JOB_POLL_MS,
    ).then((j) => (job = j));
    let lastCount = 0;
    const evaluated = await waitForProgress(
      async () => {
        const n = await BuyingGroup.countDocuments({ templateKey: TEMPLATE_KEY, evaluatedAt: op({ $exists: true }) });
        if (Math.floor(n / 100) > Math.floor(lastCount / 100)) log(`buying-groups: ${n}/${accountCount} groups evaluated after ${((Date.now() - refreshStart) / 1000).toFixed(1)} s`);
        lastCount = n;
        return n;
      },
      (n) => n >= accountCount,
      { stallMs: STALL_MS, maxMs: 600000 + accountCount * 200, everyMs: EVALUATED_POLL_MS },
    );
    const allEvaluatedMs = Date.now() - refreshStart;
    await jobWatch;
    const refreshLoad = loadRefresh();
    if (!evaluated.done) log(`buying-groups: only ${evaluated.value} of ${accountCount} groups evaluated after ${(allEvaluatedMs / 1000).toFixed(0)} s; measuring the lag anyway`);

    // Each group's own evaluation time, and its completeness checked against the in-memory assignment.
    const groups = await within(BuyingGroup.find({ templateKey: TEMPLATE_KEY }, { completeness: 1, evaluatedAt: 1 }).lean(), 120000, 'reading the groups');
    const evaluatedAfter = groups.filter((g) => g.evaluatedAt).map((g) => g.evaluatedAt!.getTime() - refreshStart);
    const actualBefore = new Map(groups.map((g) => [g._id, g.completeness]));
    const mismatched = accounts.filter((a) => actualBefore.get(a.groupId) !== expectedBefore.get(a.groupId));
    if (mismatched.length) log(`buying-groups: ${mismatched.length} groups differ from the in-memory assignment, e.g. ${mismatched[0].groupId}: ${actualBefore.get(mismatched[0].groupId)} vs ${expectedBefore.get(mismatched[0].groupId)}`);
    const refresh = {
      accounts: accountCount,
      postMs,
      setUpJobMs: job?.ms ?? null,
      setUpJobStatus: job?.status ?? 'unknown (no answer in time)',
      setUpJobResult: job?.result ?? null,
      allEvaluatedMs: evaluated.done ? allEvaluatedMs : null,
      allEvaluatedResolutionMs: EVALUATED_POLL_MS,
      accountsPerSecond: evaluated.done ? ratePerSecond(accountCount, allEvaluatedMs) : null,
      groupsEvaluated: evaluated.value,
      /** evaluatedAt of each group (when its account's activity started) after the POST. */
      groupEvaluatedAfterMs: summarize(evaluatedAfter),
      completenessMatchesInMemory: accountCount - mismatched.length,
      completenessSpread,
      benchProcess: refreshLoad,
    };
    log(`buying-groups: refresh of ${accountCount} accounts: all evaluated after ${allEvaluatedMs} ms (${refresh.accountsPerSecond ?? '-'} accounts/s), job ${refresh.setUpJobStatus} after ${refresh.setUpJobMs ?? '-'} ms`);

    // --- (2) Lag: a neutral person in an account without a decision maker becomes CTO.
    const rand = mulberry32(7);
    const pool = accounts.map((a, i) => ({ a, i })).filter(({ a }) => !a.hasDecisionMaker && actualBefore.get(a.groupId) === expectedBefore.get(a.groupId));
    for (let k = pool.length - 1; k > 0; k--) {
      const j = Math.floor(rand() * (k + 1));
      [pool[k], pool[j]] = [pool[j], pool[k]];
    }
    const targets: Target[] = pool.slice(0, Math.min(MAX_UPDATES, seconds * UPDATES_PER_SECOND)).map(({ a, i }) => {
      const person = a.people[ROLE_SLOTS.length + Math.floor(rand() * (PEOPLE_PER_ACCOUNT - ROLE_SLOTS.length))];
      const expected = assembleGroup(TEMPLATE_PARSED, candidatesOf(a, i, { personId: person._id, jobTitle: NEW_TITLE })).completeness;
      return { account: a, person, expected, lastPolled: 0, busy: false, done: false };
    });
    const lags: number[] = [];
    const putLatency: number[] = [];
    let failedPuts = 0;
    let skippedTicks = 0;
    let inFlight = 0;
    let polls = 0;
    let pollErrors = 0;

    const readGroup = async (t: Target) => {
      polls++;
      const g = await within(BuyingGroup.findOne({ _id: t.account.groupId }, { completeness: 1 }).lean(), 30000, 'reading a group');
      const seenAt = Date.now();
      if (!t.done && g?.completeness === t.expected) {
        t.done = true;
        lags.push(seenAt - t.sentAt!);
      }
    };
    let polling = true;
    const poller = async () => {
      while (polling) {
        // The sent, unresolved target read longest ago.
        let next: Target | undefined;
        for (const t of targets) if (t.sentAt !== undefined && !t.done && !t.busy && (!next || t.lastPolled < next.lastPolled)) next = t;
        if (!next || Date.now() - next.lastPolled < MIN_REPOLL_MS) {
          await sleep(5);
          continue;
        }
        next.busy = true;
        next.lastPolled = Date.now();
        await readGroup(next).catch(() => void pollErrors++);
        next.busy = false;
      }
    };
    const pollers = Promise.all(Array.from({ length: POLLERS }, poller));

    const send = async (t: Target) => {
      inFlight++;
      // Sent before the PUT returns: the group may follow before the response does.
      t.sentAt = Date.now();
      try {
        const res = await stack.api('PUT', `/v1/people/${encodeURIComponent(t.person.email)}`, { jobTitle: NEW_TITLE });
        putLatency.push(Date.now() - t.sentAt);
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      } catch {
        failedPuts++;
        t.done = true;
      } finally {
        inFlight--;
      }
    };

    const loadLag = processLoad();
    log(`buying-groups: ${targets.length} person updates at ${UPDATES_PER_SECOND}/s`);
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
    const unresolved = targets.filter((t) => t.sentAt !== undefined && !t.done);
    if (unresolved.length) log(`buying-groups: ${unresolved.length} groups still without their new completeness ${TAIL_MS / 1000} s after the last update (e.g. ${unresolved[0].account.groupId}, expected ${unresolved[0].expected})`);
    const updateLag = {
      targetUpdatesPerSecond: UPDATES_PER_SECOND,
      achievedUpdatesPerSecond: ratePerSecond(sent - failedPuts, sendMs),
      updatesSent: sent,
      failedPuts,
      skippedTicks,
      lagMs: summarize(lags),
      unresolvedAfterTail: unresolved.length,
      tailDrainMs: tailMs,
      putLatencyMs: summarize(putLatency),
      groupPolls: polls,
      pollErrors,
      benchProcess: loadLag(),
    };
    log(`buying-groups: update → completeness lag p50 ${updateLag.lagMs.p50} ms, p99 ${updateLag.lagMs.p99} ms, max ${updateLag.lagMs.max} ms over ${lags.length} updates`);

    // --- Baseline (b): a plain updateOne of the same people by _id, one at a time (mongoose adds updatedAt, so each is a real write).
    const updated = targets.filter((t) => t.sentAt !== undefined);
    const floorLatency: number[] = [];
    const updateAll = async () => {
      for (const t of updated) {
        const s = performance.now();
        await Person.updateOne({ _id: t.person._id }, { $set: { jobTitle: NEW_TITLE } });
        floorLatency.push(performance.now() - s);
      }
    };
    await within(updateAll(), 120000, 'the updateOne baseline');

    return {
      figures: { seed, refresh, updateLag },
      baseline: {
        assembleGroup: { accounts: accountCount, people: total, allAccountsMs: assembleTotal, perAccountUs: summarize(perAccountUs) },
        personUpdateOneMs: summarize(floorLatency),
      },
    };
  } finally {
    const t = Date.now();
    await within(cleanUp(accounts), 600000, 'removing the scenario data');
    log(`buying-groups: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
