// "How long until a buying group shows a person's new title, and how long does a
// refresh of 1,000 accounts take?" BENCH_PEOPLE / 20 accounts of 20 people each
// (BENCH_PEOPLE=20000: the 1,000 accounts; seed.ts). People and their
// email identities go straight into the database; the accounts are then PUT
// through the API, so every account workflow runs and scores its people before
// anything is timed.
//
// (1) Refresh of every account's group (refresh.ts).
// (2) Lag from a person's new title to the group (lag.ts).
// Floors in the same run (floors.ts): assembleGroup (the pure role assignment)
// over the same accounts in memory, and a plain updateOne of the same people by _id.
import { activeModel } from '../../lib/scoring-model-store';
import { Person } from '../../models/person';
import { putAccounts, Scenario, waitForProgress, within } from '../scenario';
import { cleanUp } from './clean-up';
import { assembleInMemory, updateOneEach } from './floors';
import { NEW_TITLE, updateLag } from './lag';
import { refreshAll, STALL_MS } from './refresh';
import { employeesOf, generate, PEOPLE_PER_ACCOUNT, seedPeople } from './seed';

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

    const inMemory = assembleInMemory(accounts);
    log(`buying-groups: assembleGroup over ${accountCount} accounts in memory: ${inMemory.figures.allAccountsMs.p50} ms (median of ${inMemory.figures.passes}); completeness spread ${JSON.stringify(inMemory.completenessSpread)}`);
    const refresh = await refreshAll(stack, accounts, inMemory.expected, inMemory.completenessSpread, log);
    const lag = await updateLag(stack, accounts, inMemory.expected, refresh.actual, seconds, log);
    const personUpdateOneMs = await updateOneEach(lag.updated, NEW_TITLE);

    return {
      figures: { seed, refresh: refresh.figures, updateLag: lag.figures },
      baseline: { assembleGroup: inMemory.figures, personUpdateOneMs },
    };
  } finally {
    const t = Date.now();
    await within(cleanUp(accounts), 600000, 'removing the scenario data');
    log(`buying-groups: removed the scenario data in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
};
