// "How fast is a segment preview on 100K people / 1M interactions?" The data
// goes straight into the database (people with their recentEvents and score,
// accounts, interactions, as the engine would have stored them): 1M events
// through POST /v1/events would take ~15 minutes of ingestion, which is not
// what this measures. Then: the first (cold) POST /v1/segments/preview, which
// loads the engine's in-memory snapshot, and 10 previews of each of five
// definitions; then a restart: a new API process's first preview, which reads
// the snapshot this one saved and catches up. Baselines in the same run: a
// plain full scan in Node of the same data (bench/segment-data.ts, also a
// cross-check of the counts) and reading all people + interactions from the
// database into Node.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { checkpointFile, checkpointHeader } from '../lib/audience-checkpoint';
import { SNAPSHOT_PROJECTIONS } from '../lib/audience-snapshot';
import { Account } from '../models/account';
import { Interaction } from '../models/interaction';
import { Person } from '../models/person';
import { CIRCLE_URLS, countMatches, Definition, EVENTS_PER_PERSON, generate, personDocument, SeedData, SeedInteraction } from './segment-data';
import { startApiProcess } from './api-process';
import { memorySnapshots } from './memory';
import { rssMb } from './proc';
import { audienceCheckpointDir } from './stack';
import { forEachLimit, Scenario, ScenarioContext, sleep, within } from './scenario';
import { ratePerSecond, round, summarize } from './stats';

const CHUNK = 1000;
const IN_FLIGHT = 4;
const REPEATS = 10;

const DEFINITIONS: Record<string, { level: 'person' | 'account'; definition: Definition }> = {
  // The seed's "circle selection".
  circle: {
    level: 'person',
    definition: {
      any: [
        { performed: 'email_open', where: { field: 'event.properties.subject', op: 'contains', value: 'Product A' }, within: 'P7D' },
        { performed: 'web_visit', where: { field: 'event.properties.url', op: 'in', value: CIRCLE_URLS }, within: 'P30D' },
        { performed: 'purchase', where: { field: 'event.properties.product', op: 'eq', value: 'A' }, within: 'P7D' },
      ],
    },
  },
  attributes: {
    level: 'person',
    definition: { all: [{ field: 'person.jobTitle', op: 'contains', value: 'CTO' }, { field: 'person.seniority', op: 'gte', value: 'director' }] },
  },
  frequency: { level: 'person', definition: { performed: 'web_visit', minCount: 3, within: 'P30D' } },
  scoreNotDiscarded: {
    level: 'person',
    definition: { all: [{ field: 'person.score', op: 'gte', value: 40 }, { not: { field: 'person.status', op: 'eq', value: 'discarded' } }] },
  },
  softwareTwoDownloaders: {
    level: 'account',
    definition: { all: [{ field: 'account.industry', op: 'eq', value: 'Software' }, { people: { performed: 'whitepaper_download', within: 'P90D' }, minCount: 2 }] },
  },
};

async function seed(data: SeedData, log: ScenarioContext['log']): Promise<void> {
  const chunks = <T>(items: readonly T[]) => Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));
  // Interactions are stored person by person, so each person's are a contiguous run.
  const eventsOf = (i: number) => data.interactions.slice(i * EVENTS_PER_PERSON, (i + 1) * EVENTS_PER_PERSON);
  const tasks: (() => Promise<unknown>)[] = [
    ...chunks(data.accounts).map((c) => () => Account.insertMany(c, { ordered: false, lean: true })),
    ...chunks(data.people.map((_, i) => i)).map((idx) => () => Person.insertMany(idx.map((i) => personDocument(data.people[i], eventsOf(i))), { ordered: false, lean: true })),
    ...chunks<SeedInteraction>(data.interactions).map((c) => () => Interaction.insertMany(c, { ordered: false, lean: true })),
  ];
  let done = 0;
  const start = Date.now();
  await forEachLimit(tasks, IN_FLIGHT, async (task) => {
    await within(task(), 120000, 'an insertMany of 1000 documents');
    if (++done % 100 === 0 || done === tasks.length) log(`segments: seeded ${done}/${tasks.length} chunks, ${ratePerSecond(done * CHUNK, Date.now() - start)} documents/s`);
  });
}

/** One at a time, equality on the indexed accountKey: a `$in` is a full decode on the embedded database. */
async function cleanUp(accountKeys: string[]): Promise<void> {
  await forEachLimit(accountKeys, 8, async (key) => {
    await Interaction.deleteMany({ accountKey: key });
    await Person.deleteMany({ accountKey: key });
    await Account.deleteOne({ _id: key });
  });
}

/** Only the people the freshness rounds create (c). */
const FRESH = { level: 'person', definition: { field: 'person.jobTitle', op: 'eq', value: 'Bench Fresh CFO' } };
const FRESH_ROUNDS = 10;
const FRESH_PER_ROUND = 5;

/** (c) Each round creates people through the API and previews them at once: the count must include every write already answered. */
async function previewsAfterWrites(stack: ScenarioContext['stack'], preview: (body: object) => Promise<{ ms: number; count: number }>) {
  const latencies: number[] = [];
  let exact = 0;
  for (let round = 0; round < FRESH_ROUNDS; round++) {
    await Promise.all(Array.from({ length: FRESH_PER_ROUND }, (_, i) => stack.api('PUT', `/v1/people/fresh${round}-${i}@bench-fresh.example`, { jobTitle: 'Bench Fresh CFO' })));
    const r = await preview(FRESH);
    latencies.push(r.ms);
    if (r.count === (round + 1) * FRESH_PER_ROUND) exact++;
  }
  return { rounds: FRESH_ROUNDS, peoplePerRound: FRESH_PER_ROUND, exact, previewMs: summarize(latencies) };
}

/**
 * (a2) The load is saved right after it: previews of the account definition
 * (the slowest) asked until the copy is on disk show what a save costs them.
 */
async function previewsWhileSaving(stack: ScenarioContext['stack'], load: { startedAt: number; endedAt: number }, preview: (name: string) => Promise<{ ms: number }>, log: ScenarioContext['log']) {
  const dir = audienceCheckpointDir(stack.config);
  const deadline = Date.now() + 300000;
  const latencies: number[] = [];
  let header = await checkpointHeader(dir);
  while (!(header && header.asOfMs >= load.startedAt)) {
    if (Date.now() > deadline) throw new Error('the API saved no snapshot within 300 s');
    latencies.push((await preview('softwareTwoDownloaders')).ms);
    header = await checkpointHeader(dir);
  }
  const saved = statSync(checkpointFile(dir));
  const figures = {
    savedMB: round(saved.size / 2 ** 20),
    /** From the end of the load until the copy was on disk: up to a second for the follower, then the save. */
    savedAfterLoadMs: round(saved.mtimeMs - load.endedAt),
    previewsMeanwhileMs: summarize(latencies),
  };
  log(`segments: the snapshot was saved (${figures.savedMB} MB) ${figures.savedAfterLoadMs} ms after its load; ${latencies.length} previews meanwhile, p50 ${figures.previewsMeanwhileMs.p50} ms, max ${figures.previewsMeanwhileMs.max} ms`);
  return figures;
}

const RESTART = { level: 'person', definition: { field: 'person.jobTitle', op: 'eq', value: 'Bench Restart CFO' } };
const RESTART_PEOPLE = 5;

/**
 * (d) A restart: people are written after the snapshot was saved, then a new
 * API process answers its first preview, which must read the saved copy and
 * count those people.
 */
async function firstPreviewAfterRestart(stack: ScenarioContext['stack'], log: ScenarioContext['log']) {
  const header = await checkpointHeader(audienceCheckpointDir(stack.config));
  for (let i = 0; i < RESTART_PEOPLE; i++) await stack.api('PUT', `/v1/people/restart${i}@bench-restart.example`, { jobTitle: 'Bench Restart CFO' });
  const api = await startApiProcess(stack.config, log);
  try {
    const t = performance.now();
    const res = await api.api('POST', '/v1/segments/preview', RESTART);
    const previewMs = round(performance.now() - t);
    if (res.status !== 200) throw new Error(`the restarted API's first preview: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    const figures = {
      apiStartedMs: api.startedMs,
      previewMs,
      loadedMs: res.body.loadedMs as number,
      loadedFrom: res.body.loadedFrom as string,
      count: res.body.count as number,
      exact: res.body.count === RESTART_PEOPLE,
      savedAgeMs: header ? Date.now() - header.asOfMs : null,
      rssMB: rssMb(api.pid),
    };
    log(`segments: restarted API answered in ${api.startedMs} ms; its first preview ${previewMs} ms (${figures.loadedFrom}, loaded in ${figures.loadedMs} ms), ${figures.count}/${RESTART_PEOPLE} written since the save counted; RSS ${figures.rssMB} MB`);
    return figures;
  } finally {
    await api.stop();
  }
}

export const segments: Scenario = async ({ stack, people, log }) => {
  // An invalid body tells whether the route exists without loading the engine's snapshot.
  const probe = await stack.api('POST', '/v1/segments/preview', {});
  const missing = probe.status === 404 || probe.status === 405;
  if (missing) log('segments: POST /v1/segments/preview not available; seeding and measuring the baselines only');

  const genStart = performance.now();
  let data: SeedData | undefined = generate(people, Date.now());
  const accountKeys = data.accounts.map((a) => a._id);
  const interactions = data.interactions.length;
  log(`segments: generated ${data.accounts.length} accounts, ${people} people, ${interactions} interactions in ${round(performance.now() - genStart)} ms; inserting`);
  const seedStart = Date.now();
  try {
    await seed(data, log);
    const seededAt = Date.now();
    const seedMs = seededAt - seedStart;
    log(`segments: seeded in ${(seedMs / 1000).toFixed(1)} s; full scans in Node`);

    // Baseline 1: the plain evaluator over the in-memory arrays, once to warm the JIT, once timed.
    const nodeScanMs: Record<string, number> = {};
    const baselineCount: Record<string, number> = {};
    for (const [name, { level, definition }] of Object.entries(DEFINITIONS)) {
      countMatches(level, definition, data, Date.now());
      const t = performance.now();
      baselineCount[name] = countMatches(level, definition, data, Date.now());
      nodeScanMs[name] = round(performance.now() - t);
      log(`segments: ${name}: ${baselineCount[name]} ${level === 'person' ? 'people' : 'accounts'} in ${nodeScanMs[name]} ms (Node scan)`);
    }
    // Only the counts are kept: the arrays would weigh on the API's heap (same process) while it is measured.
    data = undefined;

    // Baseline 2: everything the engine's snapshot reads, through a cursor (counted, not kept).
    const readStart = performance.now();
    let read = 0;
    const readAll = async () => {
      for await (const doc of Person.find({}).lean().batchSize(CHUNK).cursor()) if (doc) read++;
      for await (const doc of Interaction.find({}).lean().batchSize(CHUNK).cursor()) if (doc) read++;
    };
    await within(readAll(), 600000, 'reading all people and interactions');
    const readAllFromDatabaseMs = round(performance.now() - readStart);
    log(`segments: read ${read} documents from the database in ${readAllFromDatabaseMs} ms`);
    // Baseline 3: what the snapshot reads (accounts and people, with its projections), through a cursor: the floor of a cold preview.
    const snapshotReadStart = performance.now();
    let snapshotRead = 0;
    const readSnapshot = async () => {
      for await (const doc of Account.find({}, SNAPSHOT_PROJECTIONS.account).lean().batchSize(CHUNK).cursor()) if (doc) snapshotRead++;
      for await (const doc of Person.find({}, SNAPSHOT_PROJECTIONS.person).lean().batchSize(CHUNK).cursor()) if (doc) snapshotRead++;
    };
    await within(readSnapshot(), 600000, 'reading what the snapshot reads');
    const readSnapshotDocumentsMs = round(performance.now() - snapshotReadStart);
    log(`segments: read the snapshot's ${snapshotRead} documents in ${readSnapshotDocumentsMs} ms`);
    const baseline = { nodeScanMs, readAllFromDatabaseMs, documentsRead: read, readSnapshotDocumentsMs, snapshotDocumentsRead: snapshotRead };

    const seeded = { people, accounts: accountKeys.length, interactions, seedMs, seedDocumentsPerSecond: ratePerSecond(people + accountKeys.length + interactions, seedMs) };
    if (missing) return { skipped: 'POST /v1/segments/preview not available', figures: { ...seeded, baselineCount }, baseline };

    const preview = async (name: string | object) => {
      const t = performance.now();
      const res = await stack.api('POST', '/v1/segments/preview', typeof name === 'string' ? DEFINITIONS[name] : name);
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`POST /v1/segments/preview (${JSON.stringify(name)}): HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      return { ms, count: res.body.count as number, asOf: Date.parse(res.body.asOf), loadedMs: res.body.loadedMs as number | undefined };
    };

    // (a) The first preview loads the snapshot; its memory is this process's heap after a forced GC, before and after.
    const mem = memorySnapshots(stack);
    const withoutSnapshot = mem.snapshot();
    const coldAt = Date.now();
    const cold = await preview('circle');
    log(`segments: cold preview ${round(cold.ms)} ms (loadedMs ${cold.loadedMs ?? '-'}), asOf ${new Date(cold.asOf).toISOString()}`);
    const save = await previewsWhileSaving(stack, { startedAt: coldAt, endedAt: Date.now() }, preview, log);
    // The counts compare only on a snapshot taken after seeding: wait for one (bounded).
    let asOf = cold.asOf;
    const deadline = Date.now() + 300000 + people;
    while (!(asOf >= seededAt) && Date.now() < deadline) {
      await sleep(1000);
      asOf = (await preview('circle')).asOf;
    }
    const snapshotFresh = asOf >= seededAt;
    if (!snapshotFresh) log(`segments: the snapshot is still from before seeding (asOf ${new Date(asOf).toISOString()}); measuring anyway`);

    // (b) Each definition, REPEATS times, on the warm snapshot.
    const definitions: Record<string, unknown> = {};
    for (const name of Object.keys(DEFINITIONS)) {
      const latencies: number[] = [];
      let count = NaN;
      for (let i = 0; i < REPEATS; i++) {
        const r = await preview(name);
        latencies.push(r.ms);
        count = r.count;
      }
      const previewMs = summarize(latencies);
      definitions[name] = { count, baselineCount: baselineCount[name], countsMatch: count === baselineCount[name], previewMs };
      log(`segments: ${name}: ${count} (Node scan ${baselineCount[name]}), p50 ${previewMs.p50} ms, max ${previewMs.max} ms`);
    }

    const withSnapshot = mem.snapshot();
    const heapUsed = (m: typeof withSnapshot) => (m.afterGc ?? m.withoutGc).heapUsedMB;
    const memory = { forcedGc: mem.forcedGc, withoutSnapshot, withSnapshot, snapshotHeapMB: round(heapUsed(withSnapshot) - heapUsed(withoutSnapshot)) };
    log(`segments: the snapshot holds ${memory.snapshotHeapMB} MB of heap (rss ${withoutSnapshot.withoutGc.rssMB} → ${withSnapshot.withoutGc.rssMB} MB)`);

    const afterWrites = await previewsAfterWrites(stack, preview);
    log(`segments: previews right after writes: ${afterWrites.exact}/${afterWrites.rounds} exact, p50 ${afterWrites.previewMs.p50} ms`);

    const afterRestart = await firstPreviewAfterRestart(stack, log);

    return {
      figures: { ...seeded, coldPreviewMs: round(cold.ms), coldLoadedMs: cold.loadedMs ?? null, snapshotFresh, definitions, memory, afterWrites, save, afterRestart },
      baseline,
    };
  } finally {
    data = undefined;
    const t = Date.now();
    await within(cleanUp(accountKeys), 600000, 'removing the scenario data');
    log(`segments: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
