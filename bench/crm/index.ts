// "10,000 qualified leads through the HubSpot adapter to the fake server,
// beside the raw client calls in the same run. Goal: ≥ 0.5× the raw rate, 0
// duplicates. Report the 429-paced rate at HubSpot's real burst limit as well."
// N = BENCH_PEOPLE, in accounts of 100 (seed.ts); every phase has its own fake
// HubSpot (test/support/fake-hubspot.ts, in this process, on 127.0.0.1).
//
// Phases, one connection (bench-hubspot) re-pointed between them:
// 1. path: one web_visit per person through POST /v1/events → qualified →
//    one outbound message each → the lane's dispatcher → the adapter (path.ts);
// 2. the CRM lane alone: N messages recorded with recordAndDeliver; the figure
//    the floor is compared with, since the path's figure is mostly ingestion;
// 3. the floor: the adapter's own inputs upserted by a bare client, one
//    request at a time and four at a time (floor.ts);
// 4. the lane alone at rateLimitPerSecond 19 against a fake that enforces
//    HubSpot's burst (190 per 10 s; 429 with Retry-After beyond, burst.ts);
// then the dispatcher's histories say where the time went (histories.ts).
import type { Lane } from '../../domain/delivery/lanes';
import { newId } from '../../lib/ids';
import { OutboundMessage } from '../../models/outbound-message';
import { ScoreEvent } from '../../models/score-event';
import { startFakeHubSpot, type FakeHubSpot } from '../../test/support/fake-hubspot';
import { forEachLimit, removeAccounts, Scenario, within } from '../scenario';
import { startBurstLimit } from './burst';
import { rawUpserts, sentInputs } from './floor';
import { dispatcherLegs } from './histories';
import { deliveryAlone, throughEvents } from './path';
import { CONNECTION, generate, HUBSPOT_BURST, PACED_RATE, PEOPLE_PER_ACCOUNT, putConnection, seedAll, UNPACED_RATE } from './seed';

const GOAL = 0.5;
/** Raw requests in flight for the second floor. */
const CONCURRENT_FLOOR = 4;

const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;

async function cleanUp(stack: Parameters<Scenario>[0]['stack'], keys: string[]): Promise<void> {
  await stack.api('DELETE', `/v1/crm-connections/${CONNECTION}`);
  await forEachLimit(keys, 4, async (accountKey) => {
    await OutboundMessage.deleteMany({ accountKey });
    await ScoreEvent.deleteMany({ accountKey });
  });
  await removeAccounts(keys);
}

export const crm: Scenario = async ({ stack, people: n, log }) => {
  const accounts = generate(n);
  const keys = accounts.map((a) => a.key);
  const runTag = newId('r').slice(2, 10);
  const lane: Lane = `crm:${CONNECTION}`;
  log(`crm: ${n} leads in ${accounts.length} accounts`);
  const fakes: FakeHubSpot[] = [];
  const fresh = async () => {
    const f = await startFakeHubSpot();
    fakes.push(f);
    return f;
  };
  const closers: (() => Promise<void>)[] = [];
  try {
    const seedStart = Date.now();
    const modelVersion = await seedAll(stack, accounts);
    const pathFake = await fresh();
    await putConnection(stack, pathFake, UNPACED_RATE);
    const seedMs = Date.now() - seedStart;
    log(`crm: seeded in ${(seedMs / 1000).toFixed(1)} s (scoring model v${modelVersion}); the path through events...`);

    const path = await throughEvents(stack, accounts, pathFake, runTag, log);
    log(`crm: path ${path.figures.perSecond}/s (${path.figures.contactsInCrm}/${n}); its CRM delivery ${path.figures.messages.deliveryPerSecond}/s; the lane alone...`);

    const aloneFake = await fresh();
    await putConnection(stack, aloneFake, UNPACED_RATE);
    const alone = await deliveryAlone(stack, accounts, aloneFake, `bench:${runTag}:`, 'lane alone', log);
    log(`crm: lane alone ${alone.figures.perSecond}/s, ${alone.figures.upserts.duplicates} duplicates; raw client...`);

    const inputs = sentInputs(aloneFake);
    const floorRuns = [await rawUpserts(inputs, 1), await rawUpserts(inputs, 1)];
    const concurrentRuns = [await rawUpserts(inputs, CONCURRENT_FLOOR), await rawUpserts(inputs, CONCURRENT_FLOOR)];
    const floor = Math.max(...floorRuns.map((r) => r.perSecond));
    const concurrentFloor = Math.max(...concurrentRuns.map((r) => r.perSecond));
    const r = ratio(alone.figures.perSecond, floor);
    log(`crm: raw client ${floorRuns.map((f) => f.perSecond).join(', ')}/s sequential, ${concurrentRuns.map((f) => f.perSecond).join(', ')}/s ${CONCURRENT_FLOOR} in flight; lane/floor ${r} (goal ≥ ${GOAL}); paced at ${PACED_RATE}/s...`);

    const pacedFake = await fresh();
    const burst = await startBurstLimit(pacedFake.url, HUBSPOT_BURST);
    closers.push(burst.close);
    await putConnection(stack, { url: burst.url, token: pacedFake.token }, PACED_RATE);
    const paced = await deliveryAlone(stack, accounts, pacedFake, `bench:${runTag}-paced:`, 'paced', log);
    const throttle = burst.counts();
    log(`crm: paced ${paced.figures.perSecond}/s, ${throttle.throttled} answered 429; reading the dispatcher's histories...`);

    const legs = await dispatcherLegs(stack, lane, { path: path.window, alone: alone.window, paced: paced.window });
    const duplicates = path.figures.upserts.duplicates + alone.figures.upserts.duplicates + paced.figures.upserts.duplicates;
    const complete = path.figures.complete && alone.figures.complete && paced.figures.complete;
    return {
      figures: {
        leads: n,
        accounts: accounts.length,
        peoplePerAccount: PEOPLE_PER_ACCOUNT,
        seedMs,
        path: path.figures,
        alone: { rateLimitPerSecond: UNPACED_RATE, ...alone.figures },
        ratioToFloor: r,
        ratioToConcurrentFloor: ratio(alone.figures.perSecond, concurrentFloor),
        pathRatioToFloor: ratio(path.figures.perSecond, floor),
        duplicates,
        goal: `≥ ${GOAL}× the raw rate, 0 duplicates`,
        goalMet: r >= GOAL && duplicates === 0 && complete,
        paced: {
          rateLimitPerSecond: PACED_RATE,
          burst: `${HUBSPOT_BURST.requests} requests per ${HUBSPOT_BURST.perMs / 1000} s, enforced by the fake (429 + Retry-After)`,
          ceilingRecordsPerSecond: PACED_RATE * 100,
          answered429: throttle.throttled,
          requestsPassed: throttle.passed,
          ...paced.figures,
        },
        legs,
      },
      baseline: { rawClientSequential: floorRuns, rawClientConcurrent: concurrentRuns, floorPerSecond: floor, concurrentFloorPerSecond: concurrentFloor },
    };
  } finally {
    const t = Date.now();
    for (const close of closers) await close().catch(() => undefined);
    for (const f of fakes) await f.close().catch(() => undefined);
    await within(cleanUp(stack, keys), 900000, 'removing the scenario data').catch((err: Error) => log(`crm: clean-up: ${err.message}`));
    log(`crm: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
