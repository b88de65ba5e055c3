// The scenario's accounts, one person each, written straight into the database
// in the shape PUT /v1/accounts and PUT /v1/people write them (10K PUTs at
// ~40/s would be minutes of seeding, not what this bench measures).
import { identityKey } from '../../domain/identity';
import { newId } from '../../lib/ids';
import { Account } from '../../models/account';
import { Identity } from '../../models/identity';
import { Person } from '../../models/person';
import { expectStatus, forEachLimit, ScenarioContext, waitFor, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond } from '../stats';
import { PREFIX } from './definition';

const SEED_CHUNK = 1000;
const SEED_IN_FLIGHT = 4;
const WAKE_MS = 180000;

export interface SeedAccount {
  key: string;
  personId: string;
  email: string;
}

export function generate(count: number): SeedAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `${PREFIX}-${i}`;
    return { key, personId: newId('p'), email: `buyer@${key}.example.com` };
  });
}

/** Accounts, people and their email identities. */
export async function seed(accounts: SeedAccount[], log: ScenarioContext['log']): Promise<void> {
  const tasks: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < accounts.length; i += SEED_CHUNK) {
    const chunk = accounts.slice(i, i + SEED_CHUNK);
    tasks.push(() => Account.insertMany(chunk.map((a, j) => ({ _id: a.key, name: `Bench ${a.key}`, domain: `${a.key}.example.com`, employees: (i + j) % 4 === 0 ? 5000 : 300 })), { ordered: false }));
    tasks.push(() => Person.insertMany(chunk.map((a) => ({ _id: a.personId, email: a.email, firstName: 'Bench', lastName: a.key, jobTitle: 'CTO', accountKey: a.key })), { ordered: false }));
    tasks.push(() => Identity.insertMany(chunk.map((a) => ({ _id: identityKey('email', a.email), personId: a.personId, kind: 'email', value: a.email, accountKey: a.key })), { ordered: false }));
  }
  let done = 0;
  const start = Date.now();
  await forEachLimit(tasks, SEED_IN_FLIGHT, async (task) => {
    await within(task(), 120000, 'an insertMany of 1000 documents');
    if (++done % 10 === 0 || done === tasks.length) log(`journeys: seeded ${done}/${tasks.length} chunks, ${ratePerSecond(done * SEED_CHUNK, Date.now() - start)} documents/s`);
  });
}

/**
 * Wakes the accounts' workflows with an email_open each, as a live account's
 * is (these were written straight in); returns the event ids (for clean-up)
 * and how many accounts are still not woken.
 */
export async function wake(stack: BenchStack, accounts: SeedAccount[], runTag: string): Promise<{ eventIds: string[]; cold: number }> {
  const eventIds = accounts.map((a) => `${PREFIX}-warm-${runTag}-${a.key}`);
  for (let i = 0; i < accounts.length; i += 1000) {
    const batch = accounts.slice(i, i + 1000).map((a, j) => ({ eventId: eventIds[i + j], type: 'email_open', occurredAt: new Date().toISOString(), person: { email: a.email }, accountKey: a.key }));
    expectStatus(await stack.api('POST', '/v1/events', { events: batch }), [202], 'POST /v1/events (warm-up)');
  }
  const cold = new Set(accounts.map((a) => a.key));
  await waitFor(
    async () => {
      for (const key of [...cold]) if ((await Account.findOne({ _id: key }, { lastBatchId: 1 }).lean())?.lastBatchId) cold.delete(key);
      return cold.size === 0 ? true : undefined;
    },
    WAKE_MS,
    500,
  );
  return { eventIds, cold: cold.size };
}
