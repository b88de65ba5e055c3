// What the refresh and the update lag are compared with, in the same run: the
// pure role assignment over the same accounts in memory, and a plain updateOne
// of the same people by _id.
import { performance } from 'node:perf_hooks';
import { assembleGroup } from '../../domain/buying-groups/assign';
import { Person } from '../../models/person';
import { within } from '../scenario';
import { summarize } from '../stats';
import { candidatesOf, SeedAccount, TEMPLATE_PARSED } from './seed';

/** Timed passes of the in-memory assignment over all accounts. */
const ASSEMBLE_PASSES = 5;

/** assembleGroup over every account: each group's expected completeness, and how long the whole takes. */
export function assembleInMemory(accounts: SeedAccount[]) {
  const candidates = accounts.map((a, i) => candidatesOf(a, i));
  const expected = new Map<string, number>();
  for (const [i, a] of accounts.entries()) expected.set(a.groupId, assembleGroup(TEMPLATE_PARSED, candidates[i]).completeness);
  // The pass above warmed the JIT; the total is the median of a few passes (one can catch a GC of the worker's garbage).
  const passes = Array.from({ length: ASSEMBLE_PASSES }, () => {
    const t = performance.now();
    for (const c of candidates) assembleGroup(TEMPLATE_PARSED, c);
    return performance.now() - t;
  });
  const perAccountUs = candidates.map((c) => {
    const t = performance.now();
    assembleGroup(TEMPLATE_PARSED, c);
    return (performance.now() - t) * 1000;
  });
  const completenessSpread: Record<string, number> = {};
  for (const v of expected.values()) completenessSpread[v] = (completenessSpread[v] ?? 0) + 1;
  return {
    expected,
    completenessSpread,
    figures: { accounts: accounts.length, people: accounts.reduce((n, a) => n + a.people.length, 0), allAccountsMs: summarize(passes), perAccountUs: summarize(perAccountUs), passes: ASSEMBLE_PASSES },
  };
}

/** A plain updateOne of each person by _id, one at a time (mongoose adds updatedAt, so each is a real write). */
export async function updateOneEach(personIds: string[], jobTitle: string) {
  const ms: number[] = [];
  const updateAll = async () => {
    for (const _id of personIds) {
      const s = performance.now();
      await Person.updateOne({ _id }, { $set: { jobTitle } });
      ms.push(performance.now() - s);
    }
  };
  await within(updateAll(), 120000, 'the updateOne baseline');
  return summarize(ms);
}
