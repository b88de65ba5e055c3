// The floor: what storing these people costs the database at least, one
// upsert by id a person (as PUT /v1/people's own write), by as many clients,
// into a scratch collection, as fast as it answers.
import mongoose from 'mongoose';
import { newId } from '../../lib/ids';
import { closedLoop } from '../closed-loop';
import { cpuMsPer, processLoad } from '../load';
import { within } from '../scenario';
import { ratePerSecond } from '../stats';
import { type BenchPerson, personBody } from './people';

export async function upsertFloor(people: BenchPerson[], clients: number, seconds: number, runTag: string, dataDir: string) {
  const scratch = mongoose.connection.db!.collection(`bench_people_upsert_floor_${runTag}`);
  let next = 0;
  const load = processLoad(dataDir);
  const { loadMs } = await closedLoop(clients, seconds, async () => {
    if (next >= people.length) return false;
    const p = people[next++];
    await scratch.updateOne({ _id: newId('p') as never }, { $set: { ...personBody(p, 0), email: p.email } }, { upsert: true });
    return true;
  });
  const phaseLoad = load();
  await within(scratch.drop(), 60000, 'dropping the scratch collection').catch(() => undefined);
  return { people: next, clients, ms: loadMs, peoplePerSecond: ratePerSecond(next, loadMs), process: phaseLoad, cpuMsPerPerson: cpuMsPer(next, phaseLoad) };
}
