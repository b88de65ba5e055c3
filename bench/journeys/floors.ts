// What the API phases are measured against, in the same run: the same starts
// and stops called in this process in the job's chunks through its
// concurrency pool (writeEach), with no HTTP, workflow, activity, account
// check or progress record; a bare API round trip; a database write read back.
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { chunkCount, chunkOf } from '../../domain/journeys/jobs';
import { deliveryTargetFor } from '../../lib/delivery-target';
import { writeEach } from '../../lib/each-statement';
import { LiveJourney, startJourney, steerInstance } from '../../lib/journey-launch';
import { journeyWorkflowId } from '../../workflows/journey-messages';
import { expectStatus, ScenarioContext, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';
import type { SeedAccount } from './accounts';
import { recorded } from './recorded';
import { boundMs, settle, waitingCount } from './settle';

const ROUND_TRIPS = 20;

/** Each chunk as the job runs it: the next one after the last finished. */
async function inChunks<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let c = 0; c < chunkCount(items.length); c++) await writeEach(chunkOf(items, c), run);
}

const deliveryOf = (stack: BenchStack) => deliveryTargetFor(stack.config, stack.client);

/** startJourney for every account, as a launch job's chunks call it. */
export async function startInProcess(stack: BenchStack, live: LiveJourney, accounts: SeedAccount[], log: ScenarioContext['log']) {
  const outcomes: Record<string, number> = {};
  let errors = 0;
  const delivery = deliveryOf(stack);
  const s = await settle(stack, 'baseline startJourney', log, () => waitingCount(live.id), accounts.length, () =>
    within(
      inChunks(accounts, async (a) => {
        try {
          const o = await within(startJourney(delivery, live, a.key), 60000, 'startJourney');
          outcomes[o] = (outcomes[o] ?? 0) + 1;
        } catch {
          errors++;
        }
      }),
      boundMs(accounts.length),
      'the baseline starts',
    ),
  );
  const waiting = await recorded(live.id, 'waiting', s);
  log(`journeys: baseline: started in ${s.workMs} ms, all waiting after ${waiting.allMs ?? '-'} ms`);
  return {
    start: s.start,
    figures: {
      journeyId: live.id,
      accounts: accounts.length,
      outcomes,
      errors,
      workError: s.workError,
      startMs: s.workMs,
      startsPerSecond: s.workMs > 0 ? ratePerSecond(outcomes.started ?? 0, s.workMs) : null,
      allWaitingMs: waiting.allMs,
      allWaitingPolledMs: s.countedMs,
      waitingPerSecond: waiting.allMs !== null ? ratePerSecond(waiting.count, waiting.allMs) : null,
      waiting: waiting.count,
      waitingWhenStartsReturned: waiting.whenWorkDone,
      recordedWaitingAfterMs: waiting.afterMs,
      peakRssMB: s.peakRssMB,
      peakCachedWorkflows: s.peakCachedWorkflows,
    },
  };
}

/** The stop signal to every instance, as a stop job's chunks send it. */
export async function stopInProcess(stack: BenchStack, journeyId: string, accounts: SeedAccount[], expected: number, log: ScenarioContext['log']) {
  const delivery = deliveryOf(stack);
  let signalled = 0;
  const s = await settle(stack, 'baseline stop', log, async () => expected - (await waitingCount(journeyId)), expected, () =>
    within(
      inChunks(accounts, async (a) => void ((await steerInstance(delivery, journeyWorkflowId(journeyId, a.key), 'stopped')) && signalled++)),
      boundMs(accounts.length),
      'the baseline stops',
    ),
  );
  const stopped = await recorded(journeyId, 'stopped', s);
  log(`journeys: baseline: stop signals sent in ${s.workMs} ms, all stopped after ${stopped.allMs ?? '-'} ms`);
  return {
    signalled,
    workError: s.workError,
    signalsMs: s.workMs,
    wereWaiting: expected,
    allStoppedMs: stopped.allMs,
    noneWaitingPolledMs: s.countedMs,
    stillWaiting: expected - s.count,
    stopped: stopped.count,
    stopsPerSecond: stopped.allMs !== null ? ratePerSecond(stopped.count, stopped.allMs) : null,
  };
}

/** GET /v1/journeys/:id one at a time: the API's answer time for a request that reads the database and does no work. */
export async function apiRoundTrips(stack: BenchStack, journeyId: string) {
  const ms: number[] = [];
  for (let k = 0; k < ROUND_TRIPS; k++) {
    const s = performance.now();
    expectStatus(await stack.api('GET', `/v1/journeys/${journeyId}`), [200], 'GET /v1/journeys/:id');
    ms.push(performance.now() - s);
  }
  return summarize(ms);
}

/** A plain insertOne + findOne by _id, one at a time: the floor of an event that must be written and then read back. */
export async function writeReadRoundTrips(count: number, runTag: string) {
  const ms: number[] = [];
  const scratch = mongoose.connection.db!.collection<{ _id: string; at: Date }>(`bench_journeys_floor_${runTag}`);
  const roundTrips = async () => {
    for (let k = 0; k < count; k++) {
      const _id = `${runTag}-${k}`;
      const s = performance.now();
      await scratch.insertOne({ _id, at: new Date() });
      await scratch.findOne({ _id });
      ms.push(performance.now() - s);
    }
  };
  await within(roundTrips(), 120000, 'the insertOne + findOne baseline');
  await within(scratch.drop(), 30000, 'dropping the scratch collection').catch(() => undefined);
  return summarize(ms);
}
