// The measured paths, each against its own fake HubSpot:
// - throughEvents: one web_visit per person through POST /v1/events (batches
//   of 500); scoring qualifies each person and records one outbound message
//   for the connection, whose lane's dispatcher upserts them 100 to a request.
//   Timed from the first post until the fake holds all N contacts.
// - deliveryAlone: N messages recorded straight with recordAndDeliver, timed
//   until the last is sent (its sentAt): the CRM lane alone.
import { deliveryTargetFor } from '../../lib/delivery-target';
import { recordAndDeliver, type NewMessage } from '../../lib/deliveries';
import { OutboundMessage } from '../../models/outbound-message';
import type { FakeHubSpot } from '../../test/support/fake-hubspot';
import { timeQueries } from '../email/queries';
import { processLoad } from '../load';
import type { SeedAccount } from '../email/seed';
import { expectStatus, forEachLimit, sleep, waitForProgress, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';
import { CONNECTION } from './seed';

const EVENTS_PER_POST = 500;
const POSTS_IN_FLIGHT = 2;
const RECORD_CHUNK = 500;
/** No contact arriving for this long is a stuck path, not a slow one. */
const STALL_MS = 180000;
const MAX_MS = 3600000;
const POLL_MS = 100;
const FINAL = new Set(['sent', 'dead', 'suppressed']);

type Message = { _id: string; status: string; attempts: { ok?: boolean }[]; createdAt: Date; sentAt?: Date | null };

/** Upsert records the fake was sent, by email: an email sent more than once is a duplicate. */
export function upsertsByEmail(fake: FakeHubSpot) {
  const perEmail = new Map<string, number>();
  let requests = 0;
  for (const r of fake.requests) {
    if (!r.path.startsWith('/crm/v3/objects/contacts/batch/upsert')) continue;
    requests++;
    for (const input of (r.body?.inputs ?? []) as { id: string }[]) perEmail.set(input.id.toLowerCase(), (perEmail.get(input.id.toLowerCase()) ?? 0) + 1);
  }
  const counts = [...perEmail.values()];
  return { requests, records: counts.reduce((s, v) => s + v, 0), emails: perEmail.size, duplicates: counts.filter((c) => c > 1).length };
}

/** Polls the fake's own state (in this process: no load on the engine) until it holds n contacts. */
async function untilHeld(fake: FakeHubSpot, n: number, from: number, what: string, log: (line: string) => void) {
  let logged = 0;
  const settled = await waitForProgress(
    async () => {
      const held = fake.state.contacts.size;
      if (held - logged >= n / 5) log(`crm: ${what}: ${(logged = held)}/${n} contacts after ${((Date.now() - from) / 1000).toFixed(1)} s`);
      return held;
    },
    (held) => held >= n,
    { stallMs: STALL_MS, maxMs: MAX_MS, everyMs: POLL_MS },
  );
  return { done: settled.done, held: settled.value, heldAt: Date.now() };
}

/** The scenario's messages whose id starts with `prefix`, one equality read per account. */
async function readBack(accountKeys: string[], prefix: string): Promise<Message[]> {
  const messages: Message[] = [];
  await forEachLimit(accountKeys, 4, async (accountKey) => {
    const found = (await within(OutboundMessage.find({ accountKey }, { status: 1, attempts: 1, createdAt: 1, sentAt: 1 }).lean(), 60000, 'reading outbound messages')) as Message[];
    messages.push(...found.filter((m) => m._id.startsWith(prefix)));
  });
  return messages;
}

/** Reads back until n messages are final (a contact is in the fake a moment before its message is settled). */
async function settledMessages(accountKeys: string[], prefix: string, n: number): Promise<Message[]> {
  const deadline = Date.now() + 120000;
  for (;;) {
    const messages = await readBack(accountKeys, prefix);
    if ((messages.length >= n && messages.every((m) => FINAL.has(m.status))) || Date.now() > deadline) return messages;
    await sleep(1000);
  }
}

function messageFigures(messages: Message[], from: number) {
  const byStatus: Record<string, number> = {};
  for (const m of messages) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
  const created = messages.map((m) => m.createdAt.getTime()).sort((a, b) => a - b);
  const sent = messages.flatMap((m) => (m.sentAt ? [m.sentAt.getTime()] : [])).sort((a, b) => a - b);
  return {
    recorded: messages.length,
    byStatus,
    sentMoreThanOnce: messages.filter((m) => m.attempts.filter((a) => a.ok).length > 1).length,
    failedAttempts: messages.reduce((s, m) => s + m.attempts.filter((a) => !a.ok).length, 0),
    recordedAfterMs: { first: created[0] - from, last: created[created.length - 1] - from },
    sentAfterMs: { first: sent[0] - from, last: sent[sent.length - 1] - from },
    recordedToSentMs: summarize(messages.flatMap((m) => (m.sentAt ? [m.sentAt.getTime() - m.createdAt.getTime()] : []))),
    /** The CRM delivery alone: first message recorded to last sent. */
    deliveryMs: sent[sent.length - 1] - created[0],
    deliveryPerSecond: ratePerSecond(sent.length, sent[sent.length - 1] - created[0]),
  };
}

export async function throughEvents(stack: BenchStack, accounts: SeedAccount[], fake: FakeHubSpot, runTag: string, log: (line: string) => void) {
  const n = accounts.reduce((s, a) => s + a.people.length, 0);
  const occurredAt = new Date().toISOString();
  const events = accounts.flatMap((a) => a.people.map((p) => ({ eventId: `crmb-${runTag}-${p.personId}`, type: 'web_visit', occurredAt, person: { email: p.email }, accountKey: a.key })));
  const posts = Array.from({ length: Math.ceil(events.length / EVENTS_PER_POST) }, (_, i) => events.slice(i * EVENTS_PER_POST, (i + 1) * EVENTS_PER_POST));
  const load = processLoad(stack.config.DATA_DIR);
  const queries = timeQueries();
  const start = Date.now();
  let accepted = 0;
  await forEachLimit(posts, POSTS_IN_FLIGHT, async (batch) => {
    const res = await stack.api('POST', '/v1/events', { events: batch });
    expectStatus(res, [202], 'POST /v1/events');
    accepted += res.body.accepted as number;
  });
  const postMs = Date.now() - start;
  log(`crm: path: ${accepted} events posted in ${(postMs / 1000).toFixed(1)} s`);
  const held = await untilHeld(fake, n, start, 'path', log);
  const statements = queries(n);
  const phaseLoad = load();
  const messages = await settledMessages(
    accounts.map((a) => a.key),
    `crm:${CONNECTION}:qualified:`,
    n,
  );
  const ms = held.heldAt - start;
  return {
    figures: {
      people: n,
      eventsAccepted: accepted,
      postMs,
      postedPerSecond: ratePerSecond(accepted, postMs),
      complete: held.done,
      contactsInCrm: held.held,
      /** First post until the fake held every contact. */
      ms,
      perSecond: ratePerSecond(held.held, ms),
      messages: messageFigures(messages, start),
      upserts: upsertsByEmail(fake),
      databaseStatements: statements,
      process: phaseLoad,
    },
    window: { from: start, to: held.heldAt },
  };
}

/** The CRM lane alone: N person messages recorded (500 per recordAndDeliver) and delivered by the lane's dispatcher. */
export async function deliveryAlone(stack: BenchStack, accounts: SeedAccount[], fake: FakeHubSpot, prefix: string, what: string, log: (line: string) => void) {
  const messages: NewMessage[] = accounts.flatMap((a) => a.people.map((p) => ({ _id: `${prefix}${p.personId}`, channel: 'crm' as const, type: 'bench.lead', accountKey: a.key, personId: p.personId, payload: { destination: CONNECTION, record: 'person' } })));
  const n = messages.length;
  const target = deliveryTargetFor(stack.config, stack.client);
  const load = processLoad(stack.config.DATA_DIR);
  const queries = timeQueries();
  const start = Date.now();
  for (let i = 0; i < n; i += RECORD_CHUNK) await within(recordAndDeliver(target, messages.slice(i, i + RECORD_CHUNK)), 120000, 'recording messages');
  const recordMs = Date.now() - start;
  const held = await untilHeld(fake, n, start, what, log);
  const statements = queries(n);
  const phaseLoad = load();
  const recorded = messageFigures(
    await settledMessages(
      accounts.map((a) => a.key),
      prefix,
      n,
    ),
    start,
  );
  const ms = recorded.sentAfterMs.last;
  return {
    figures: {
      count: n,
      recordMs,
      complete: held.done && recorded.byStatus.sent === n,
      contactsInCrm: held.held,
      /** From the first recordAndDeliver until the last message was sent (settled). */
      ms,
      perSecond: ratePerSecond(recorded.byStatus.sent ?? 0, ms),
      heldAllAfterMs: held.heldAt - start,
      messages: recorded,
      upserts: upsertsByEmail(fake),
      databaseStatements: statements,
      process: phaseLoad,
    },
    window: { from: start, to: start + ms },
  };
}
