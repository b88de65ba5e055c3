// The scenario's accounts (written straight into the database, as PUT
// /v1/accounts would) and the people the clients create and then update
// through PUT /v1/people/:email, 10 to an account.
import { identityKey } from '../../domain/identity';
import { Account } from '../../models/account';
import { Identity } from '../../models/identity';
import { Person } from '../../models/person';
import { forEachLimit, within } from '../scenario';

export const PEOPLE_PER_ACCOUNT = 10;

export interface BenchPerson {
  email: string;
  accountKey: string;
}

export function generate(people: number, runTag: string): BenchPerson[] {
  return Array.from({ length: people }, (_, i) => {
    const accountKey = `pup-${runTag}-${Math.floor(i / PEOPLE_PER_ACCOUNT)}`;
    return { email: `p${i % PEOPLE_PER_ACCOUNT}@${accountKey}.example.com`, accountKey };
  });
}

export const accountKeys = (people: BenchPerson[]) => [...new Set(people.map((p) => p.accountKey))];

export async function seedAccounts(people: BenchPerson[], tag: string): Promise<void> {
  const keys = accountKeys(people);
  await within(Account.insertMany(keys.map((key) => ({ _id: key, name: `Bench ${key}`, domain: `${key}.example.com`, industry: tag })), { ordered: false }), 300000, 'seeding the accounts');
}

/** What a CRM or sign-up form sends: the person's attributes and account; `round` changes the job title. */
export function personBody(p: BenchPerson, round: number) {
  return { firstName: 'Bench', lastName: p.email.split('@')[0], jobTitle: round === 0 ? 'Engineer' : `Engineer, round ${round}`, seniority: 'senior', accountKey: p.accountKey };
}

/** Everything the scenario wrote. One equality at a time: `$in` is a full decode on the embedded database. */
export async function cleanUp(people: BenchPerson[]): Promise<void> {
  await forEachLimit(accountKeys(people), 8, async (key) => {
    await Person.deleteMany({ accountKey: key });
    await Account.deleteOne({ _id: key });
  });
  await forEachLimit(people, 8, async (p) => void (await Identity.deleteOne({ _id: identityKey('email', p.email) })));
}
