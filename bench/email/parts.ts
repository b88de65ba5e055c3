// The path taken apart, to say where its time goes: (1) the delivery activity
// called in this process for fresh messages, as the worker runs it but without
// Temporal (database reads, render, SMTP); (2) the delivery workflows alone:
// started again for those messages, now sent, whose activity then only reads
// the message and returns (Temporal's part, and one read).
import { makeEmailDelivery } from '../../activities/deliver-email';
import { startDelivery } from '../../lib/deliveries';
import { deliveryTargetFor } from '../../lib/delivery-target';
import { OutboundMessage } from '../../models/outbound-message';
import { deliveryWorkflowId } from '../../workflows/delivery';
import { forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond } from '../stats';
import { IN_FLIGHT } from './floor';
import { timeQueries } from './queries';
import { PREFIX, type SeedAccount, TEMPLATE } from './seed';

/** lib/each-statement's pool: recordAndDeliver starts deliveries at most this many at a time. */
const STARTS_IN_FLIGHT = 16;
/** Results awaited at once (each a long poll). */
const RESULTS_IN_FLIGHT = 50;

/** Fresh pending messages for the first `count` people, recorded as recordAndDeliver records them. */
export async function recordFresh(accounts: SeedAccount[], count: number, runTag: string): Promise<string[]> {
  const ids: string[] = [];
  const now = new Date();
  for (const a of accounts) {
    const people = a.people.slice(0, count - ids.length);
    if (!people.length) break;
    const docs = people.map((p) => ({ _id: `${PREFIX}-direct-${runTag}:${p.personId}`, channel: 'email', type: 'sendEmail', accountKey: a.key, personId: p.personId, payload: { template: TEMPLATE }, status: 'pending', attempts: [], createdAt: now, updatedAt: now }));
    await within(OutboundMessage.insertMany(docs, { ordered: false }), 60000, 'recording messages');
    ids.push(...docs.map((d) => d._id));
  }
  return ids;
}

export async function activityAlone(stack: BenchStack, ids: string[]) {
  const { SMTP_URL, MAIL_FROM, PUBLIC_URL, EMAIL_TOKEN_SECRET } = stack.config;
  const { deliverEmail } = makeEmailDelivery({ smtpUrl: SMTP_URL, from: MAIL_FROM, publicUrl: PUBLIC_URL, tokenSecret: EMAIL_TOKEN_SECRET });
  await stack.smtp.reset();
  const queries = timeQueries();
  const outcomes: Record<string, number> = {};
  const start = Date.now();
  await forEachLimit(ids, IN_FLIGHT, async (messageId) => {
    const { status } = await within(deliverEmail({ messageId }), 60000, 'deliverEmail');
    outcomes[status] = (outcomes[status] ?? 0) + 1;
  });
  const ms = Date.now() - start;
  const statements = queries(ids.length);
  const sink = await stack.smtp.stats();
  return { messages: ids.length, inFlight: IN_FLIGHT, ms, perSecond: ratePerSecond(ids.length, ms), outcomes, arrived: sink.distinct, duplicates: sink.duplicates, databaseStatements: statements };
}

export async function workflowsAlone(stack: BenchStack, ids: string[]) {
  const target = deliveryTargetFor(stack.config, stack.client);
  await stack.smtp.reset();
  const start = Date.now();
  // `again`: these ids' first deliveries have ended; a re-drive starts one more under the same id.
  await forEachLimit(ids, STARTS_IN_FLIGHT, (id) => within(startDelivery(target, id, true), 60000, 'a delivery start'));
  const startedMs = Date.now() - start;
  const outcomes: Record<string, number> = {};
  await forEachLimit(ids, RESULTS_IN_FLIGHT, async (id) => {
    const { status } = await within(stack.client.workflow.getHandle(deliveryWorkflowId(id)).result(), 300000, 'a delivery result');
    outcomes[status] = (outcomes[status] ?? 0) + 1;
  });
  const ms = Date.now() - start;
  const sink = await stack.smtp.stats();
  return { workflows: ids.length, startsInFlight: STARTS_IN_FLIGHT, startsMs: startedMs, startsPerSecond: ratePerSecond(ids.length, startedMs), allClosedMs: ms, perSecond: ratePerSecond(ids.length, ms), outcomes, sentAgain: sink.distinct + sink.duplicates };
}
