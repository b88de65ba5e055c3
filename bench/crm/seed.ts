// The scenario's data: N people in accounts of 100, written straight into the
// database as bench/email/seed.ts does (same shape as PUT /v1/accounts and
// PUT /v1/people write), a scoring model where one web_visit qualifies, and
// the HubSpot connection pointed at a fake server, through the API.
import { generateAccounts, seed, type SeedAccount } from '../email/seed';
import { expectStatus, putScoringModel } from '../scenario';
import type { BenchStack } from '../stack';

export const PREFIX = 'crmb';
export const PEOPLE_PER_ACCOUNT = 100;
export const CONNECTION = 'bench-hubspot';
/** The API's ceiling for rateLimitPerSecond: one request's pause rounds to 1 ms, so pacing is out of the way. */
export const UNPACED_RATE = 10000;
/** HubSpot private apps: 190 requests per 10 s. */
export const HUBSPOT_BURST = { requests: 190, perMs: 10000 };
export const PACED_RATE = HUBSPOT_BURST.requests / (HUBSPOT_BURST.perMs / 1000);

/** One web visit (60 points) is above qualifyAt (50): each visit's person becomes qualified. */
export const MODEL = { fit: [], behavior: [{ id: 'visit', event: 'web_visit', within: 'P30D', points: 60 }], qualifyAt: 50 };

export const generate = (people: number) => generateAccounts(PREFIX, people, { local: 'lead', first: 'Lee', last: 'Lead' });

/** The model first (no re-score of the seeded people), then the people. */
export async function seedAll(stack: BenchStack, accounts: SeedAccount[]): Promise<number | undefined> {
  const version = await putScoringModel(stack, MODEL);
  await seed(accounts);
  return version;
}

export async function putConnection(stack: BenchStack, fake: { url: string; token: string }, rateLimitPerSecond: number): Promise<void> {
  const res = await stack.api('PUT', `/v1/crm-connections/${CONNECTION}`, { kind: 'hubspot', baseUrl: fake.url, accessToken: fake.token, rateLimitPerSecond, sync: { qualifiedLeads: true, buyingGroups: false } });
  expectStatus(res, [200, 201], `PUT /v1/crm-connections/${CONNECTION}`);
}
