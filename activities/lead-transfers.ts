import { leadFingerprint, type IncludeField } from '../domain/lead-transfers/fingerprint';
import { leadOutcome, tallyOf, transferMessageId, type RunTally } from '../domain/lead-transfers/run';
import type { DeliveryTarget } from '../lib/deliver-events';
import { recordAndDeliver } from '../lib/deliveries';
import { findEach, writeEach } from '../lib/each-statement';
import { insertNew } from '../lib/mongo-errors';
import { op } from '../lib/query';
import { LeadTransfer, LeadTransferLead, transferLeadId } from '../models/lead-transfer';
import { LeadTransferRun, LeadTransferRunLead, runLeadId } from '../models/lead-transfer-run';
import { OutboundMessage } from '../models/outbound-message';
import { Person } from '../models/person';
import { SegmentMember } from '../models/segment-membership';
import type { TransferSettings } from '../workflows/lead-transfer';

const present = <T>(values: (T | null | undefined)[]) => values.filter((v): v is T => v !== null && v !== undefined);

/** The run's record, once (a retried start finds it); no run for a transfer stopped or deleted meanwhile. */
async function beginLeadTransferRun(input: { transferId: string; runId: string; workflowId: string }): Promise<{ ok: true; settings: TransferSettings } | { ok: false; reason: string }> {
  const transfer = await LeadTransfer.findOne({ _id: input.transferId }).lean();
  if (!transfer) return { ok: false, reason: `lead transfer '${input.transferId}' does not exist` };
  if (transfer.status === 'stopped') return { ok: false, reason: 'the lead transfer is stopped' };
  await insertNew((docs) => LeadTransferRun.insertMany(docs), [{ _id: input.runId, transferId: input.transferId, workflowId: input.workflowId, startedAt: new Date(), status: 'running' }]);
  return { ok: true, settings: { segmentId: transfer.segmentId, connection: transfer.connection, include: transfer.include as IncludeField[] } };
}

/**
 * One page of the segment's members, in member order after `after`: each lead
 * whose state differs from what this transfer last sent is recorded for drill-
 * down and handed to the connection's lane as a CRM person record; the others
 * are skipped. A retried page records the same ids, so nothing goes twice.
 * Members are read by the segment (an equality the embedded database pushes
 * down), people and their last transfer by `_id`.
 */
function makeTransferLeadPage(target: DeliveryTarget) {
  return async function transferLeadPage(
    input: TransferSettings & { transferId: string; runId: string; after?: string; limit: number },
  ): Promise<{ handed: number; skipped: number; after?: string }> {
    const filter = input.after ? { segmentId: input.segmentId, _id: op({ $gt: input.after }) } : { segmentId: input.segmentId };
    const members = await SegmentMember.find(filter, { memberId: 1 }).sort({ _id: 1 }).limit(input.limit).lean();
    const ids = members.map((m) => m.memberId);
    const [people, sent] = await Promise.all([
      findEach(ids, async (id) => present([await Person.findOne({ _id: id }, { accountKey: 1, score: 1, summary: 1, attributes: 1, mergedInto: 1 }).lean()])),
      findEach(ids, async (id) => present([await LeadTransferLead.findOne({ _id: transferLeadId(input.transferId, id) }, { personId: 1, fingerprint: 1 }).lean()])),
    ]);
    const last = new Map(sent.map((s) => [s.personId, s.fingerprint]));
    const leads = people.filter((p) => !p.mergedInto);
    const handed = leads
      .map((p) => ({ person: p, fingerprint: leadFingerprint(p, input.include) }))
      .filter((l) => last.get(l.person._id) !== l.fingerprint);
    const records = handed.map(({ person, fingerprint }) => ({
      _id: runLeadId(input.runId, person._id),
      runId: input.runId,
      transferId: input.transferId,
      personId: person._id,
      messageId: transferMessageId(input.transferId, input.runId, person._id),
      fingerprint,
      outcome: 'pending',
    }));
    await insertNew((docs) => LeadTransferRunLead.insertMany(docs, { ordered: false }), records);
    await recordAndDeliver(
      target,
      handed.map(({ person }) => ({
        _id: transferMessageId(input.transferId, input.runId, person._id),
        channel: 'crm' as const,
        type: 'lead_transfer',
        personId: person._id,
        ...(person.accountKey ? { accountKey: person.accountKey } : {}),
        payload: { destination: input.connection, record: 'person', include: input.include, transferId: input.transferId, runId: input.runId },
      })),
    );
    const after = members.length === input.limit ? members[members.length - 1]._id : undefined;
    // Members merged into someone else since are neither handed over nor counted: their survivor is a member in their place.
    return { handed: handed.length, skipped: leads.length - handed.length, after };
  };
}

/**
 * Reads the CRM's result of each lead still pending (its message by `_id`):
 * a final one settles the lead, and a transferred lead's state becomes what
 * the transfer last sent of it (first, so a retry after a crash between the
 * two writes settles it again). Returns the run's counts, also written on the
 * run so the list shows them while it runs.
 */
async function settleLeadTransferRun(input: { runId: string; skipped: number }): Promise<RunTally> {
  const leads = await LeadTransferRunLead.find({ runId: input.runId }, { personId: 1, transferId: 1, messageId: 1, fingerprint: 1, outcome: 1 }).lean();
  const pending = leads.filter((l) => l.outcome === 'pending');
  const messages = new Map(
    (await findEach(pending.map((l) => l.messageId), async (id) => present([await OutboundMessage.findOne({ _id: id }, { status: 1, reason: 1, providerId: 1 }).lean()]))).map((m) => [m._id, m]),
  );
  const now = new Date();
  await writeEach(pending, async (lead) => {
    const message = messages.get(lead.messageId);
    const { outcome, error } = leadOutcome(message);
    if (outcome === 'pending') return;
    if (outcome === 'transferred') {
      await LeadTransferLead.updateOne(
        { _id: transferLeadId(lead.transferId, lead.personId) },
        { $set: { transferId: lead.transferId, personId: lead.personId, fingerprint: lead.fingerprint, runId: input.runId, transferredAt: now } },
        { upsert: true },
      );
    }
    await LeadTransferRunLead.updateOne({ _id: lead._id }, { $set: { outcome, ...(error ? { error } : {}), ...(message?.providerId ? { providerId: message.providerId } : {}) } });
    lead.outcome = outcome;
  });
  const tally = tallyOf(leads.map((l) => l.outcome as 'pending' | 'transferred' | 'failed'), input.skipped);
  await LeadTransferRun.updateOne({ _id: input.runId }, { $set: tally });
  return tally;
}

async function finishLeadTransferRun(input: { runId: string; status: 'completed' | 'failed'; tally: RunTally; error?: string }): Promise<void> {
  await LeadTransferRun.updateOne({ _id: input.runId }, { $set: { ...input.tally, status: input.status, finishedAt: new Date(), ...(input.error ? { error: input.error } : {}) } });
}

export function makeLeadTransferActivities(target: DeliveryTarget) {
  return { beginLeadTransferRun, transferLeadPage: makeTransferLeadPage(target), settleLeadTransferRun, finishLeadTransferRun };
}
