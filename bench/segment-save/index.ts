// "A saved segment shows its members for existing data within 10 s at 10K
// accounts." BENCH_PEOPLE accounts (default 10000) of one person each,
// written straight into the database (../journeys/accounts.ts); a quarter of
// them have 5,000 employees.
//
// (1) A first segment saved: every account's workflow is started by its
//     evaluation (the accounts were written straight in), as after a restore.
// (2) A second segment saved with every account's workflow running: the
//     figure the goal is about. Live events go to accounts of their own
//     meanwhile, and for as long before it, idle (../live-lag.ts).
// Floors in the same run: the same definitions previewed through the API (the
// in-memory answer, which must agree with the expected count), inserting as
// many membership documents (./listing-floor.ts: members shown cannot come
// sooner), and the storage work an evaluation of everyone cannot avoid
// (../rescore/storage-floor.ts).
import { newId } from '../../lib/ids';
import { Segment } from '../../models/segment';
import { SegmentChange, SegmentMember } from '../../models/segment-membership';
import { byActivity, traceStatements } from '../ingest-max/trace';
import { liveAccounts, liveLagFigures, liveSeedEvents, liveSettled, measureLiveLag } from '../live-lag';
import { generate, seed } from '../journeys/accounts';
import { cleanUp } from '../journeys/clean-up';
import { storageFloor } from '../rescore/storage-floor';
import { expectStatus, putAccounts, removeAccounts, Scenario, within } from '../scenario';
import type { BenchStack } from '../stack';
import { round } from '../stats';
import { listingFloor } from './listing-floor';
import { SaveInput, timedSave } from './save';

const BIG = { field: 'account.employees', op: 'gt', value: 1000 };

/** The definition previewed through the API twice: the first builds the columns it names, the second is the warm answer. */
async function previewMs(stack: BenchStack, save: SaveInput): Promise<{ count: number; firstMs: number; warmMs: number }> {
  const once = async () => {
    const t = Date.now();
    const res = await stack.api('POST', '/v1/segments/preview', { level: save.level, definition: save.definition });
    expectStatus(res, [200], 'POST /v1/segments/preview');
    return { count: res.body.count as number, ms: Date.now() - t };
  };
  const first = await once();
  const warm = await once();
  return { count: warm.count, firstMs: first.ms, warmMs: warm.ms };
}

export const segmentSave: Scenario = async ({ stack, people, seconds, log }) => {
  const accounts = generate(people);
  const big = accounts.filter((_, i) => i % 4 === 0).length;
  const runTag = newId('r').slice(2, 10);
  const saves: SaveInput[] = [
    { name: `Bench big accounts ${runTag}`, level: 'account', definition: BIG, expected: big, accounts: accounts.length, people: accounts.length },
    { name: `Bench CTOs at big accounts ${runTag}`, level: 'person', definition: { all: [{ field: 'person.jobTitle', op: 'contains', value: 'CTO' }, BIG] }, expected: big, accounts: accounts.length, people: accounts.length },
  ];
  const maxMs = 600000 + accounts.length * 100;
  const saved: string[] = [];
  const live = liveAccounts('ss-live');
  log(`segment-save: ${accounts.length} accounts of one person each (${big} with 5,000 employees); inserting`);
  try {
    const seedStart = Date.now();
    await seed(accounts, log);
    const seedMs = Date.now() - seedStart;
    await putAccounts(stack, live.map((a) => a.key), () => 300);
    expectStatus(await stack.api('POST', '/v1/events', { events: liveSeedEvents(live, Date.now()) }), [202], 'POST /v1/events');
    if (!(await liveSettled(stack, live))) log('segment-save: the live accounts do not count their seed events yet; measuring anyway');
    const previews: Awaited<ReturnType<typeof previewMs>>[] = [];
    for (const s of saves) previews.push(await previewMs(stack, s));
    log(`segment-save: seeded in ${(seedMs / 1000).toFixed(1)} s; previews ${JSON.stringify(previews)}`);
    const first = await timedSave(stack, saves[0], saved, maxMs, log);
    const idle = await measureLiveLag(stack, live, 'idle', { maxMs: seconds * 1000 });
    // Where an evaluation's time goes: the statements of each activity execution of the warm save.
    const trace = traceStatements(stack);
    let evaluating = true;
    const during = measureLiveLag(stack, live, 'segment-save', { maxMs, stopWhen: () => !evaluating });
    const warm = await timedSave(stack, saves[1], saved, maxMs, log).finally(() => (evaluating = false));
    const activities = byActivity(trace.stop());
    const liveLag = liveLagFigures(live, idle, await during, 'duringEvaluation', "the segment's evaluation");
    log(`segment-save: live events idle p99 ${idle.lagMs.p99} ms; during the evaluation p50 ${liveLag.duringEvaluation.lagMs.p50} ms, p99 ${liveLag.duringEvaluation.lagMs.p99} ms (${liveLag.duringEvaluation.lagMs.count} events)`);
    const refresh = activities.refreshEntity;
    log(`segment-save: refreshEntity: ${refresh?.executions ?? 0} executions, ${refresh?.perUnit ?? '-'} statements each, span p50 ${refresh?.statementSpanMs.p50 ?? '-'} ms`);
    const listing = await listingFloor(big);
    log(`segment-save: listing floor ${listing.documents} documents in ${listing.ms} ms`);
    const floor = await storageFloor(accounts.map((a) => a.key), stack.config.BACKGROUND_CONCURRENCY);
    log(`segment-save: storage floor ${floor.peoplePerSecond} people/s`);
    return {
      figures: { seed: { accounts: accounts.length, peoplePerAccount: 1, seedMs }, firstSaveStartingWorkflows: first, savedWithWorkflowsRunning: { ...warm, liveLag, statementsByActivity: activities } },
      baseline: {
        previews: saves.map((s, i) => ({ name: s.name, expected: s.expected, ...previews[i] })),
        listingFloor: listing,
        storageFloor: { ...floor, accountsPerSecond: round((floor.peoplePerSecond * accounts.length) / Math.max(1, floor.people)), backgroundSlots: stack.config.BACKGROUND_CONCURRENCY },
      },
    };
  } finally {
    const t = Date.now();
    await within(
      (async () => {
        // Marked deleted without a new revision: the revisions stay monotonic, and no one is left to evaluate.
        for (const segmentId of saved) {
          await Segment.updateOne({ _id: segmentId }, { $set: { deletedAt: new Date() } });
          await SegmentMember.deleteMany({ segmentId });
          await SegmentChange.deleteMany({ segmentId });
        }
        await cleanUp({ accounts, journeys: [], eventIds: [], eventAccountKeys: [] });
        await removeAccounts(live.map((a) => a.key));
      })(),
      600000,
      'removing the scenario data',
    );
    log(`segment-save: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
