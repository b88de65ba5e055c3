// The scenario's data: accounts of up to PEOPLE_PER_ACCOUNT people written
// straight into the database in the shape PUT /v1/accounts and PUT /v1/people
// write them (10,000 PUTs would be minutes of seeding, not what this bench
// measures), and a marketing template, its topic and a published journey
// whose one action is sendEmail to allContacts, through the API.
import { identityKey } from '../../domain/identity';
import { newId } from '../../lib/ids';
import { Account } from '../../models/account';
import { Identity } from '../../models/identity';
import { Person } from '../../models/person';
import { expectStatus, forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';

export const PREFIX = 'emb';
export const PEOPLE_PER_ACCOUNT = 100;
export const TOPIC = 'bench-news';
export const TEMPLATE = 'bench-newsletter';
const MAIL_NODE = 'mail';

export interface SeedPerson {
  personId: string;
  email: string;
  firstName: string;
  lastName: string;
  jobTitle: string;
}

export interface SeedAccount {
  key: string;
  name: string;
  domain: string;
  employees: number;
  people: SeedPerson[];
}

const TITLES = ['CTO', 'VP Engineering', 'Head of Data', 'CFO', 'IT Director'];

/** Who a scenario's people are: the local part of their email, their first name and their surname, numbered by place in the account. */
export interface Persona {
  local: string;
  first: string;
  last: string;
}

/** `people` people in accounts of PEOPLE_PER_ACCOUNT, `<prefix>-<i>`, with titles in turn. */
export function generateAccounts(prefix: string, people: number, persona: Persona): SeedAccount[] {
  const accounts: SeedAccount[] = [];
  for (let i = 0; i * PEOPLE_PER_ACCOUNT < people; i++) {
    const key = `${prefix}-${i}`;
    const count = Math.min(PEOPLE_PER_ACCOUNT, people - i * PEOPLE_PER_ACCOUNT);
    const members = Array.from({ length: count }, (_, j) => ({ personId: newId('p'), email: `${persona.local}${j}@${key}.example.com`, firstName: `${persona.first}${j}`, lastName: `${persona.last} ${key}`, jobTitle: TITLES[j % TITLES.length] }));
    accounts.push({ key, name: `Bench ${key}`, domain: `${key}.example.com`, employees: 300 + i, people: members });
  }
  return accounts;
}

export const generate = (recipients: number) => generateAccounts(PREFIX, recipients, { local: 'buyer', first: 'Ann', last: 'Buyer' });

/** Accounts, people and their email identities, one account's people per insertMany. */
export async function seed(accounts: SeedAccount[]): Promise<void> {
  await within(Account.insertMany(accounts.map((a) => ({ _id: a.key, name: a.name, domain: a.domain, employees: a.employees })), { ordered: false }), 120000, 'inserting the accounts');
  await forEachLimit(accounts, 4, async (a) => {
    await within(Person.insertMany(a.people.map((p) => ({ _id: p.personId, email: p.email, firstName: p.firstName, lastName: p.lastName, jobTitle: p.jobTitle, accountKey: a.key })), { ordered: false }), 120000, 'inserting people');
    await within(Identity.insertMany(a.people.map((p) => ({ _id: identityKey('email', p.email), personId: p.personId, kind: 'email', value: p.email, accountKey: a.key })), { ordered: false }), 120000, 'inserting identities');
  });
}

/** A newsletter of a few kilobytes with the usual merge fields, HTML only (the text part is derived). */
const TEMPLATE_SOURCE = {
  subject: 'Your {{ account.name }} data platform update, {{ person.firstName | default: "there" }}',
  html: [
    '<html><body style="font-family:Arial,sans-serif;color:#222">',
    '<h1>Hello {{ person.firstName | default: "there" }},</h1>',
    '<p>As {{ person.jobTitle | default: "a leader" }} at {{ account.name }} ({{ account.employees }} people), you asked how teams like yours cut their pipeline costs.</p>',
    ...Array.from({ length: 8 }, (_, i) => `<h2>Story ${i + 1}</h2><p>How a team of {{ account.employees }} moved their batch jobs to streaming in ${i + 2} weeks, what it cost, what they would do again and what they would not. Read the whole case study on our site.</p><p><a href="https://example.com/stories/${i + 1}?a={{ account.domain | url_encode }}">Read story ${i + 1}</a></p>`),
    '<p>Best regards,<br>The Example team</p>',
    '<p style="font-size:11px;color:#888">You get this because you subscribed to our news. <a href="{{ unsubscribe_url }}">Unsubscribe</a>.</p>',
    '</body></html>',
  ].join('\n'),
};

/** The topic, the template and a published journey: mail everyone at the account, then exit. */
export async function createJourney(stack: BenchStack, runTag: string): Promise<string> {
  expectStatus(await stack.api('PUT', `/v1/subscription-topics/${TOPIC}`, { name: 'Bench news' }), [200, 201], 'PUT /v1/subscription-topics');
  expectStatus(await stack.api('PUT', `/v1/email-templates/${TEMPLATE}`, { name: 'Bench newsletter', kind: 'marketing', topic: TOPIC, ...TEMPLATE_SOURCE }), [200, 201], 'PUT /v1/email-templates');
  const created = await stack.api('POST', '/v1/journeys', {
    name: `Bench newsletter ${runTag}`,
    entry: { manual: true },
    start: MAIL_NODE,
    nodes: { [MAIL_NODE]: { type: 'action', action: 'sendEmail', params: { template: TEMPLATE, to: 'allContacts' }, next: 'done' }, done: { type: 'exit' } },
  });
  expectStatus(created, [201], 'POST /v1/journeys');
  const id = created.body.id as string;
  expectStatus(await stack.api('POST', `/v1/journeys/${id}/publish`), [200], `POST /v1/journeys/${id}/publish`);
  return id;
}
