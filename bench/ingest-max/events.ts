// The events the clients post: batch g's i-th event goes to account
// (g × BATCH + i) mod N and to the next of its people in turn, so a batch of
// 500 over 100 accounts gives each 5 events, over 1,000 accounts 500 of them
// one each. Known people only (email identities seeded), types alternating.
import type { SeedAccount } from './seed';

export const BATCH = 500;

export interface BenchEvent {
  eventId: string;
  type: 'email_open' | 'web_visit';
  occurredAt: string;
  person: { email: string };
  accountKey: string;
}

export function batchOf(accounts: SeedAccount[], runTag: string, g: number): BenchEvent[] {
  const occurredAt = new Date().toISOString();
  return Array.from({ length: BATCH }, (_, i) => {
    const n = g * BATCH + i;
    const a = accounts[n % accounts.length];
    const p = a.people[Math.floor(n / accounts.length) % a.people.length];
    return { eventId: `imx-${runTag}-${g}-${i}`, type: i % 2 ? 'web_visit' : 'email_open', occurredAt, person: { email: p.email }, accountKey: a.key };
  });
}

/** The interaction each event is stored as (lib/ingest-events.ts): what the floor inserts. */
export function interactionOf(e: BenchEvent, personId: string, receivedAt: Date) {
  return { _id: e.eventId, type: e.type, occurredAt: new Date(e.occurredAt), receivedAt, personId, accountKey: e.accountKey, properties: {} };
}
