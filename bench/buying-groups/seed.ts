// The scenario's accounts: BENCH_PEOPLE / 20 accounts of 20 people each, whose
// titles leave most groups partly filled and nine accounts in ten without a
// decision maker; the role template they are judged by; and the people with
// their email identities written straight into the database in the shape
// PUT /v1/people writes (20K PUTs at ~50/s would be 7 minutes of seeding, not
// what this bench measures).
import { Candidate } from '../../domain/buying-groups/assign';
import { roleTemplateSchema } from '../../domain/buying-groups/template';
import { identityKey } from '../../domain/identity';
import { newId } from '../../lib/ids';
import { buyingGroupId } from '../../models/buying-group';
import { Identity } from '../../models/identity';
import { Person } from '../../models/person';
import { forEachLimit, ScenarioContext, within } from '../scenario';
import { mulberry32 } from '../segment-data';
import { ratePerSecond } from '../stats';

export const PEOPLE_PER_ACCOUNT = 20;
export const TEMPLATE_KEY = 'bench-seeds';
export const INTEREST = 'AI-driven seeds';
const CHUNK = 1000;
const IN_FLIGHT = 4;

/** The seed's blueprint (test/buying-groups.test.ts): 40 + 25 + 20 + 15, complete at 80 with a decision maker. */
export const TEMPLATE = {
  name: 'Bench AI-driven seeds roles',
  solutionInterest: INTEREST,
  completeAt: 80,
  roles: [
    { role: 'decision maker', weight: 40, required: true, when: { any: [{ field: 'person.jobTitle', op: 'contains', value: 'CTO' }, { field: 'person.jobTitle', op: 'contains', value: 'Chief Technology' }] } },
    { role: 'influencer', weight: 25, when: { field: 'person.department', op: 'eq', value: 'R&D' } },
    { role: 'champion', weight: 20, when: { field: 'person.seniority', op: 'in', value: ['manager', 'lead'] } },
    { role: 'sponsor', weight: 15, when: { field: 'person.jobTitle', op: 'contains', value: 'VP' } },
  ],
};
export const TEMPLATE_PARSED = roleTemplateSchema.parse(TEMPLATE);

type Profile = readonly [jobTitle: string, department: string, seniority: string];
// No neutral title contains 'cto' or 'vp' without case ("Director" and "Sector" would be decision makers).
const NEUTRAL: Profile[] = [
  ['Software Engineer', 'IT', 'senior'],
  ['Account Executive', 'Sales', 'entry'],
  ['Marketing Specialist', 'Marketing', 'junior'],
  ['Purchasing Specialist', 'Procurement', 'junior'],
  ['Data Analyst', 'Finance', 'senior'],
];
/** Slots 0-3 of each account, each filled with its role's profile by chance; the rest are neutral. */
export const ROLE_SLOTS: { profile: Profile; chance: number }[] = [
  { profile: ['CTO', 'IT', 'c-level'], chance: 0.1 },
  { profile: ['Research Scientist', 'R&D', 'senior'], chance: 0.5 },
  { profile: ['Operations Manager', 'Operations', 'manager'], chance: 0.6 },
  { profile: ['VP Sales', 'Sales', 'vp'], chance: 0.3 },
];

export interface SeedPerson {
  _id: string;
  email: string;
  firstName: string;
  lastName: string;
  jobTitle: string;
  department: string;
  seniority: string;
  accountKey: string;
}

export interface SeedAccount {
  key: string;
  groupId: string;
  people: SeedPerson[];
  hasDecisionMaker: boolean;
}

export function generate(accounts: number, seed = 20261201): SeedAccount[] {
  const rand = mulberry32(seed);
  let n = 0;
  return Array.from({ length: accounts }, (_, i) => {
    const key = `bgb-${i}`;
    const people = Array.from({ length: PEOPLE_PER_ACCOUNT }, (_, slot) => {
      const role = ROLE_SLOTS[slot];
      const [jobTitle, department, seniority] = role && rand() < role.chance ? role.profile : NEUTRAL[Math.floor(rand() * NEUTRAL.length)];
      const j = n++;
      return { _id: newId('p'), email: `p${j}@${key}.example.com`, firstName: 'Bench', lastName: `P${j}`, jobTitle, department, seniority, accountKey: key };
    });
    return { key, groupId: buyingGroupId(key, TEMPLATE_KEY), people, hasDecisionMaker: people[0].jobTitle === 'CTO' };
  });
}

export const employeesOf = (i: number) => (i % 4 === 0 ? 5000 : 300);

/** Candidates as the engine builds them for assembleGroup: the person's fields and its account. */
export function candidatesOf(a: SeedAccount, i: number, change?: { personId: string; jobTitle: string }): Candidate[] {
  const account = { key: a.key, name: `Bench ${a.key}`, domain: `${a.key}.example.com`, employees: employeesOf(i) };
  return a.people.map((p) => {
    const { _id, ...fields } = p;
    const person = { ...fields, personId: _id, ...(change?.personId === _id ? { jobTitle: change.jobTitle } : {}), score: 0, status: 'nurture' };
    return { personId: _id, context: { person, account }, behavior: 0 };
  });
}

/** People and their email identities, in the shape resolvePeople + PUT /v1/people write them. */
export async function seedPeople(accounts: SeedAccount[], log: ScenarioContext['log']): Promise<void> {
  const people = accounts.flatMap((a) => a.people);
  const tasks: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < people.length; i += CHUNK) {
    const chunk = people.slice(i, i + CHUNK);
    tasks.push(() => Person.insertMany(chunk, { ordered: false }));
    tasks.push(() => Identity.insertMany(chunk.map((p) => ({ _id: identityKey('email', p.email), personId: p._id, kind: 'email', value: p.email, accountKey: p.accountKey })), { ordered: false }));
  }
  let done = 0;
  const start = Date.now();
  await forEachLimit(tasks, IN_FLIGHT, async (task) => {
    await within(task(), 120000, 'an insertMany of 1000 documents');
    if (++done % 10 === 0 || done === tasks.length) log(`buying-groups: seeded ${done}/${tasks.length} chunks, ${ratePerSecond(done * CHUNK, Date.now() - start)} documents/s`);
  });
}
