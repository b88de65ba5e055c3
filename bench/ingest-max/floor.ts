// The floor: the same documents the path stored as interactions, written with
// insertMany by as many clients and in batches as large as the path's, into a
// scratch collection of the same database, as fast as it answers. Twice (the
// machine is shared): the better run is the floor.
import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import { cpuMsPer, processLoad } from '../load';
import { forEachLimit, within } from '../scenario';
import { ratePerSecond, summarize } from '../stats';
import { CLIENTS, type Posted } from './clients';
import { interactionOf } from './events';

/** Events the floor writes at most: a rate needs no more. */
const MAX_FLOOR_EVENTS = 50000;

export async function insertManyFloor(posted: Posted[], personIdOf: (email: string) => string, runTag: string, run: number, dataDir: string) {
  const batches = posted.filter((b) => b.accepted > 0).map((b) => b.events);
  const chosen = batches.slice(0, Math.max(1, Math.floor(MAX_FLOOR_EVENTS / Math.max(1, batches[0]?.length ?? 1))));
  const scratch = mongoose.connection.db!.collection(`bench_ingest_max_floor_${runTag}_${run}`);
  const ms: number[] = [];
  const load = processLoad(dataDir);
  const start = Date.now();
  await within(
    forEachLimit(chosen, CLIENTS, async (events) => {
      const receivedAt = new Date();
      const docs = events.map((e) => interactionOf(e, personIdOf(e.person.email), receivedAt));
      const t = performance.now();
      await scratch.insertMany(docs as never[], { ordered: false });
      ms.push(performance.now() - t);
    }),
    300000,
    'the insertMany floor',
  );
  const total = Date.now() - start;
  const phaseLoad = load();
  const events = chosen.reduce((n, b) => n + b.length, 0);
  await within(scratch.drop(), 60000, 'dropping the scratch collection').catch(() => undefined);
  return { events, batches: chosen.length, clients: CLIENTS, ms: total, eventsPerSecond: ratePerSecond(events, total), insertManyMs: summarize(ms), process: phaseLoad, cpuMsPerEvent: cpuMsPer(events, phaseLoad) };
}
