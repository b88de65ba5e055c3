// The path taken apart, to say where its time goes: the delivery activity
// called in this process for fresh messages, batch by batch as the lane's
// dispatcher would claim them, but without Temporal (database reads, render,
// SMTP, settling).
import { MockActivityEnvironment } from '@temporalio/testing';
import { makeEmailDelivery } from '../../activities/deliver-email';
import { claimIn } from '../../domain/delivery/lanes';
import { DEFAULT_DISPATCH } from '../../lib/deliveries';
import { deliveryTargetFor } from '../../lib/delivery-target';
import { OutboundMessage } from '../../models/outbound-message';
import { forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond } from '../stats';
import { timeQueries } from './queries';
import { PREFIX, type SeedAccount, TEMPLATE } from './seed';

/** Fresh pending messages for the first `count` people, in no lane's queue (the running dispatcher leaves them alone). */
export async function recordFresh(accounts: SeedAccount[], count: number, runTag: string): Promise<string[]> {
  const ids: string[] = [];
  const now = new Date();
  for (const a of accounts) {
    const people = a.people.slice(0, count - ids.length);
    if (!people.length) break;
    const docs = people.map((p) => ({ _id: `${PREFIX}-direct-${runTag}:${p.personId}`, channel: 'email', type: 'sendEmail', accountKey: a.key, personId: p.personId, payload: { template: TEMPLATE }, status: 'pending', attempts: [], failures: 0, createdAt: now, updatedAt: now }));
    await within(OutboundMessage.insertMany(docs, { ordered: false }), 60000, 'recording messages');
    ids.push(...docs.map((d) => d._id));
  }
  return ids;
}

export async function activityAlone(stack: BenchStack, ids: string[], runTag: string) {
  const { SMTP_URL, MAIL_FROM, PUBLIC_URL, EMAIL_TOKEN_SECRET } = stack.config;
  const { deliverEmails } = makeEmailDelivery({ smtpUrl: SMTP_URL, from: MAIL_FROM, publicUrl: PUBLIC_URL, tokenSecret: EMAIL_TOKEN_SECRET });
  const { batchSize, concurrency, retry } = deliveryTargetFor(stack.config, stack.client).dispatch ?? DEFAULT_DISPATCH;
  const batches = Array.from({ length: Math.ceil(ids.length / batchSize) }, (_, i) => ids.slice(i * batchSize, (i + 1) * batchSize));
  await stack.smtp.reset();
  const queries = timeQueries();
  const start = Date.now();
  await forEachLimit(batches.map((b, i) => ({ b, claimId: `bench-${runTag}:${i}` })), concurrency, async ({ b, claimId }) => {
    await Promise.all(b.map((id) => OutboundMessage.updateOne({ _id: id }, { $set: { queue: claimIn('email', claimId) } })));
    await within(new MockActivityEnvironment().run(deliverEmails, { lane: 'email' as const, claimId, retry }), 120000, 'deliverEmails');
  });
  const ms = Date.now() - start;
  const statements = queries(ids.length);
  const outcomes: Record<string, number> = {};
  for (const m of await Promise.all(ids.map((id) => OutboundMessage.findOne({ _id: id }, { status: 1 }).lean()))) outcomes[m?.status ?? 'missing'] = (outcomes[m?.status ?? 'missing'] ?? 0) + 1;
  const sink = await stack.smtp.stats();
  return { messages: ids.length, batchSize, concurrency, ms, perSecond: ratePerSecond(ids.length, ms), outcomes, arrived: sink.distinct, duplicates: sink.duplicates, databaseStatements: statements };
}
