// The scenario's accounts, PEOPLE_PER_ACCOUNT known people each, written
// straight into the database in the shape PUT /v1/accounts and PUT /v1/people
// write them (1,000 accounts of PUTs would be minutes of seeding, not what this
// bench measures). Each account carries the run's tag in `industry`, so one
// top-level equality (pushed down to SQL on the embedded database) reads all
// their counters. No account workflow runs before the load: the load starts them.
import { identityKey } from '../../domain/identity';
import { newId } from '../../lib/ids';
import { Account } from '../../models/account';
import { Identity } from '../../models/identity';
import { Person } from '../../models/person';
import { forEachLimit, waitFor, within } from '../scenario';
import type { BenchStack } from '../stack';

export const PEOPLE_PER_ACCOUNT = 10;
const CHUNK = 1000;
const IN_FLIGHT = 4;
const RESCORE_WAIT_MS = 300000;

export interface SeedAccount {
  key: string;
  people: { _id: string; email: string }[];
}

export function generate(count: number, runTag: string): SeedAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `imx-${runTag}-${i}`;
    return { key, people: Array.from({ length: PEOPLE_PER_ACCOUNT }, (_, j) => ({ _id: newId('p'), email: `p${j}@${key}.example.com` })) };
  });
}

/** Accounts (tagged), people and their email identities. */
export async function seed(accounts: SeedAccount[], tag: string): Promise<void> {
  const people = accounts.flatMap((a) => a.people.map((p) => ({ ...p, accountKey: a.key })));
  const tasks: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < accounts.length; i += CHUNK) {
    const chunk = accounts.slice(i, i + CHUNK);
    tasks.push(() => Account.insertMany(chunk.map((a, j) => ({ _id: a.key, name: `Bench ${a.key}`, domain: `${a.key}.example.com`, industry: tag, employees: (i + j) % 3 === 0 ? 5000 : 200 })), { ordered: false }));
  }
  for (let i = 0; i < people.length; i += CHUNK) {
    const chunk = people.slice(i, i + CHUNK);
    tasks.push(() => Person.insertMany(chunk.map((p) => ({ _id: p._id, email: p.email, firstName: 'Bench', lastName: p._id, accountKey: p.accountKey })), { ordered: false }));
    tasks.push(() => Identity.insertMany(chunk.map((p) => ({ _id: identityKey('email', p.email), personId: p._id, kind: 'email', value: p.email, accountKey: p.accountKey })), { ordered: false }));
  }
  await forEachLimit(tasks, IN_FLIGHT, (task) => within(task(), 120000, 'an insertMany of 1000 documents').then(() => undefined));
}

/** activity.total of every account of the run, by key: one equality read. */
export async function counters(tag: string): Promise<Map<string, number>> {
  const docs = await Account.find({ industry: tag }, { activity: 1 }).lean();
  return new Map(docs.map((d) => [d._id, d.activity?.total ?? 0]));
}

/** Until the re-score a model save starts (of whatever the database holds) has completed, at most RESCORE_WAIT_MS. */
export async function modelSettled(stack: BenchStack, version: number | undefined, log: (line: string) => void): Promise<void> {
  if (version === undefined) return;
  const done = await waitFor(
    async () => {
      const r = (await stack.api('GET', '/v1/scoring-model')).body?.recompute;
      return !r || r.version !== version || r.status !== 'running' ? true : undefined;
    },
    RESCORE_WAIT_MS,
    500,
  );
  if (!done) log(`ingest-max: the re-score of model v${version} still runs after ${RESCORE_WAIT_MS / 1000} s; loading anyway`);
}
