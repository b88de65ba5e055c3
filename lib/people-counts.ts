import { countKey, type CountedField } from '../domain/people-counts';
import { PeopleCount } from '../models/people-count';
import { isDuplicateKey } from './mongo-errors';

/** Adds what an entity's writes moved: one statement per count that moved, none once everyone carries the current values. */
export async function addMoves(sums: ReadonlyMap<string, number>): Promise<void> {
  for (const [key, n] of sums) {
    const add = () => PeopleCount.updateOne({ _id: key }, { $inc: { people: n } }, { upsert: true });
    try {
      await add();
    } catch (err) {
      // Two first writers of a count at once: the other one created it, so this one now adds.
      if (!isDuplicateKey(err)) throw err;
      await add();
    }
  }
}

/** People counted as moved onto this value: one read by `_id`. */
export async function peopleMovedOnto(field: CountedField, value: number): Promise<number> {
  return (await PeopleCount.findOne({ _id: countKey(field, value) }, { people: 1 }).lean())?.people ?? 0;
}
