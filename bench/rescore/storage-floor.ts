// The database work a re-score cannot avoid, without Temporal: for each
// account, read its people (one equality), write each person and then the
// account (one statement each), BACKGROUND_CONCURRENCY accounts at a time
// through the project's statement pool, as the background refreshes do.
import { performance } from 'node:perf_hooks';
import { writeEach } from '../../lib/each-statement';
import { Account } from '../../models/account';
import { Person } from '../../models/person';
import { forEachLimit } from '../scenario';
import { ratePerSecond, round } from '../stats';

export async function storageFloor(accountKeys: string[], accountsAtOnce: number): Promise<{ people: number; ms: number; peoplePerSecond: number }> {
  const stamp = Date.now();
  let people = 0;
  const t = performance.now();
  await forEachLimit(accountKeys, accountsAtOnce, async (accountKey) => {
    const found = await Person.find({ accountKey }, { _id: 1 }).lean();
    await writeEach(found, (p) => Person.updateOne({ _id: p._id }, { $set: { 'attributes.benchStorageFloor': stamp } }));
    await Account.updateOne({ _id: accountKey }, { $set: { 'attributes.benchStorageFloor': stamp } });
    people += found.length;
  });
  const ms = performance.now() - t;
  return { people, ms: round(ms), peoplePerSecond: ratePerSecond(people, ms) };
}
