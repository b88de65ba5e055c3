import { destinationOf, type Lane } from '../domain/delivery/lanes';
import type { AttemptResult } from '../domain/delivery/message';
import type { BatchResult, DeliveryRetry } from '../domain/delivery/queues';
import { crmPersonOf } from '../domain/crm/lead-record';
import { includedOnly, type IncludeField } from '../domain/lead-transfers/fingerprint';
import type { CrmAssociation, CrmCompany, CrmPerson, CrmTask } from '../domain/crm/records';
import type { RecordResult } from '../domain/crm/result';
import { adapterFor, type CrmAdapter } from '../lib/crm/adapter';
import { connectionWithSecrets } from '../lib/crm-connections';
import { batchSettler, claimedMessages, type ClaimedMessage } from '../lib/delivery-batch';
import type { DeliveryTarget } from '../lib/deliver-events';
import { findEach } from '../lib/each-statement';
import { handedToSales } from '../lib/sales-handover';
import { accountBuyingGroups, groupsHeldBy } from '../lib/profile-links';
import { Account } from '../models/account';
import { Person } from '../models/person';

/** What a CRM message asks for (payload.record), built from the data as it is when it is sent. */
export type CrmRecordKind = 'company' | 'person' | 'association' | 'task';

const readPerson = (id: string) => Person.findOne({ _id: id }).lean();
const readAccount = (key: string) => Account.findOne({ _id: key }).lean();
const present = <T>(values: (T | null | undefined)[]) => values.filter((v): v is T => v !== null && v !== undefined);

/** A record of a message, or why there is none to send (the message is final without a request). */
type Built<R> = { m: ClaimedMessage; record: R } | { m: ClaimedMessage; outcome: AttemptResult };

async function readBatch(messages: ClaimedMessage[]) {
  const people = new Map((await findEach(present(messages.map((m) => m.personId)), async (id) => present([await readPerson(id)]))).map((p) => [p._id, p]));
  const keys = present([...messages.map((m) => m.accountKey), ...[...people.values()].map((p) => p.accountKey)]);
  const [accounts, groups] = await Promise.all([
    findEach(keys, async (key) => present([await readAccount(key)])),
    findEach(keys, async (key) => [{ key, groups: await accountBuyingGroups(key) }]),
  ]);
  return { people, accounts: new Map(accounts.map((a) => [a._id, a])), groups: new Map(groups.map((g) => [g.key, g.groups])) };
}
type BatchData = Awaited<ReturnType<typeof readBatch>>;

function build(m: ClaimedMessage, data: BatchData): Built<CrmCompany | CrmPerson | CrmAssociation | CrmTask> {
  const account = m.accountKey ? data.accounts.get(m.accountKey) : undefined;
  const person = m.personId ? data.people.get(m.personId) : undefined;
  const none = (reason: string) => ({ m, outcome: { status: 'suppressed' as const, reason } });
  switch (m.payload.record as CrmRecordKind) {
    case 'company':
      return account?.domain ? { m, record: { messageId: m._id, domain: account.domain, ...(account.name ? { name: account.name } : {}) } } : none('the account has no domain');
    case 'person': {
      if (!person) return none('the person no longer exists');
      const role = person.accountKey ? groupsHeldBy(person._id, data.groups.get(person.accountKey) ?? [])[0]?.role : undefined;
      const record = crmPersonOf(m._id, person as never, { role, companyDomain: person.accountKey ? data.accounts.get(person.accountKey)?.domain : undefined });
      if (!record) return none('the person has no email address');
      // A journey's syncToCrm may give the CRM its own lead status and a campaign tag.
      const { status, campaign, include } = m.payload as { status?: string; campaign?: string; include?: IncludeField[] };
      const synced = { ...record, ...(status ? { status } : {}), ...(campaign ? { tags: [...(record.tags ?? []), campaign] } : {}) };
      // A lead transfer sends only the parts it includes.
      return { m, record: include ? includedOnly(synced, include) : synced };
    }
    case 'association':
      if (!person?.email) return none('the person has no email address');
      return account?.domain ? { m, record: { messageId: m._id, personEmail: person.email, companyDomain: account.domain } } : none('the account has no domain');
    case 'task':
      return { m, record: { messageId: m._id, ...(account?.ownerId ? { ownerId: account.ownerId } : {}), subject: String(m.payload.subject), body: String(m.payload.body) } };
    default:
      return { m, outcome: { status: 'dead', reason: `unknown CRM record '${String(m.payload.record)}'` } };
  }
}

/**
 * Requests a batch made, for the connection's rate: upserts go 100 to a
 * request (HubSpot; Salesforce takes 200), each association and task is one.
 */
const requestsOf = (n: Record<CrmRecordKind, number>) => Math.ceil(n.company / 100) + Math.ceil(n.person / 100) + n.association + n.task;

/**
 * One claimed batch of a CRM connection's records: each built from the data as
 * it is now, sent through the connection's official client (companies first,
 * then people, their associations and tasks, so what a record points at
 * exists), and each settled by its own result: a record the CRM rejects fails
 * alone, a throttled or failed request is retried, not before Retry-After.
 */
export function makeCrmDelivery(target: DeliveryTarget, webhooks: { allowPrivate: boolean }) {
  return {
    async deliverCrmRecords(input: { lane: Lane; claimId: string; retry: DeliveryRetry }): Promise<BatchResult> {
      const started = Date.now();
      const claimed = await claimedMessages(input.lane, input.claimId);
      const settler = batchSettler(input.lane, input.retry);
      const key = destinationOf(input.lane);
      const connection = await connectionWithSecrets(key);
      let adapter: CrmAdapter | undefined;
      let problem = connection ? undefined : `CRM connection '${key}' does not exist`;
      try {
        if (connection) adapter = adapterFor(connection, { allowPrivate: webhooks.allowPrivate });
      } catch (err) {
        problem = `CRM connection '${key}': ${(err as Error).message}`;
      }
      if (!adapter || !connection) {
        await Promise.all(claimed.map((m) => settler.settle(m, { status: 'dead', reason: problem! })));
        return { settled: claimed.length };
      }
      const data = await readBatch(claimed);
      const built = claimed.map((m) => build(m, data));
      await Promise.all(built.map((b) => ('outcome' in b ? settler.settle(b.m, b.outcome) : undefined)));
      const counts: Record<CrmRecordKind, number> = { company: 0, person: 0, association: 0, task: 0 };
      const calls: [CrmRecordKind, (records: never[]) => Promise<RecordResult[]>][] = [
        ['company', (r) => adapter.upsertCompanies(r)],
        ['person', (r) => adapter.upsertPeople(r)],
        ['association', (r) => adapter.associate(r)],
        ['task', (r) => adapter.createTasks(r)],
      ];
      for (const [kind, call] of calls) {
        const ofKind = built.filter((b): b is { m: ClaimedMessage; record: never } => 'record' in b && b.m.payload.record === kind);
        if (!ofKind.length) continue;
        counts[kind] = ofKind.length;
        const results = await call(ofKind.map((b) => b.record));
        // Before the records settle: a retry after a crash between the two finds them unsettled and hands them over again.
        if (kind === 'person') await handedToSales(target, present(ofKind.filter((b, i) => results[i].ok && b.m.type === 'lead_transfer').map((b) => b.m.personId)));
        await Promise.all(
          results.map((r, i) => settler.settle(ofKind[i].m, r.ok ? { status: 'sent', providerId: r.providerId } : { status: 'failed', error: r.error, permanent: r.permanent, retryAfterMs: r.retryAfterMs })),
        );
      }
      // The batch's requests need this long at the connection's rate; the batch's own time counts towards it.
      const pauseMs = Math.ceil((requestsOf(counts) * 1000) / connection.rateLimitPerSecond) - (Date.now() - started);
      return { settled: claimed.length, nextDueAt: settler.nextDueAt(), ...(pauseMs > 0 ? { pauseMs } : {}) };
    },
  };
}
