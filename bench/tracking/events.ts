// The bench's events: the same tracks for both doors, each path on people and
// accounts of its own so neither finds the other's identities already bound.

export const EVENT_NAME = 'Pricing Viewed';
export const ACCOUNTS = 100;
export const PEOPLE_PER_ACCOUNT = 10;
/** Events a request carries on both doors (the SDK's flushAt, /v1/events' batch): analytics-node's default, 15, unless BENCH_TRACKING_BATCH says otherwise. */
export const BATCH = Number(process.env.BENCH_TRACKING_BATCH) || 15;

export interface BenchTrack {
  messageId: string;
  anonymousId: string;
  accountKey: string;
  plan: string;
  at: string;
}

export function tracksFor(door: 'native' | 'segment', count: number): BenchTrack[] {
  const at = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const account = i % ACCOUNTS;
    const person = Math.floor(i / ACCOUNTS) % PEOPLE_PER_ACCOUNT;
    return { messageId: `${door}-${i}`, anonymousId: `${door}-a${account}-p${person}`, accountKey: `trk-${door}-${account}`, plan: i % 2 ? 'pro' : 'team', at };
  });
}

/** The same track as POST /v1/events takes it. */
export const asNativeEvent = (t: BenchTrack) => ({
  eventId: t.messageId,
  type: EVENT_NAME,
  occurredAt: t.at,
  person: { anonymousId: t.anonymousId },
  accountKey: t.accountKey,
  properties: { plan: t.plan, url: 'https://acme.example/pricing' },
});

export const accountKeysOf = (door: 'native' | 'segment') => Array.from({ length: ACCOUNTS }, (_, a) => `trk-${door}-${a}`);
