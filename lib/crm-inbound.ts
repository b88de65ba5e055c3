import { createHash } from 'node:crypto';
import { identityKey, type Identifiers } from '../domain/identity';
import { Identity } from '../models/identity';
import { Person } from '../models/person';
import { currentPerson } from './current-person';
import type { DeliveryTarget } from './deliver-events';
import { findEach, writeEach } from './each-statement';
import { ingestEvents, type IncomingEvent } from './ingest-events';

/** One lead status sent back by a CRM, naming the person by crmId or email. */
export interface CrmStatusRecord {
  email?: string;
  crmId?: string;
  status: string;
  /** When the CRM changed it; without it, the body's digest makes a replayed call the same call. */
  changedAt?: string;
}

export interface CrmInboundResult {
  /** Records that changed a person's status (each one a `crm_status_changed` event). */
  updated: number;
  /** Records whose status the person already had, or that are older than the status they have. */
  unchanged: number;
  /** Indexes of records naming nobody we know: reported, never created. */
  unknown: number[];
}

type CrmState = { status?: string | null; connection?: string | null; updatedAt?: Date | null };

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32);

/** The most trusted identifier the record gives (One ID's order: crmId before email). */
const identifierOf = (r: CrmStatusRecord): Identifiers => (r.crmId ? { crmId: r.crmId } : { email: r.email });
const keyOf = (ids: Identifiers) => (ids.crmId ? identityKey('crmId', ids.crmId) : identityKey('email', ids.email!));

/** The person each identity key names now (after merges); keys of nobody are absent. */
async function peopleOf(keys: string[]): Promise<Map<string, { personId: string; crm?: CrmState }>> {
  const bound = await findEach([...new Set(keys)], (_id) => Identity.find({ _id }, { personId: 1 }).lean());
  const found = await findEach(bound, async (identity) => {
    const person = await currentPerson(identity.personId);
    const stored = person && (await Person.findOne({ _id: person._id }, { crm: 1 }).lean());
    return stored ? [{ key: identity._id, personId: stored._id, crm: stored.crm ?? undefined }] : [];
  });
  return new Map(found.map(({ key, ...person }) => [key, person]));
}

/**
 * Takes lead statuses a CRM sent back: each known person's `crm` becomes the
 * new status, and each change is a `crm_status_changed` event through the
 * same ingestion as POST /v1/events, so scoring, segments and journeys see
 * it. The event id is made of the connection, the person, the status and the
 * CRM's time of change (else the body's digest), so a replayed call adds no
 * event; the event is stored before the person is written, so a call that
 * failed half-way and is sent again completes what it began.
 */
export async function applyCrmStatuses(delivery: DeliveryTarget, connection: string, records: readonly CrmStatusRecord[], bodyDigest: string, now = new Date()): Promise<CrmInboundResult> {
  const identifiers = records.map(identifierOf);
  const people = await peopleOf(identifiers.map(keyOf));
  // Statuses as they become within this call: two records for one person follow each other.
  const states = new Map<string, CrmState>([...people.values()].map((p) => [p.personId, p.crm ?? {}]));
  const events: IncomingEvent[] = [];
  const writes = new Map<string, CrmState>();
  const result: CrmInboundResult = { updated: 0, unchanged: 0, unknown: [] };

  for (const [index, record] of records.entries()) {
    const person = people.get(keyOf(identifiers[index]));
    if (!person) {
      result.unknown.push(index);
      continue;
    }
    const previous = states.get(person.personId)!;
    const changedAt = record.changedAt ? new Date(record.changedAt) : undefined;
    // A CRM's late retry of an older change never overwrites a newer status.
    const stale = changedAt && previous.updatedAt && changedAt < previous.updatedAt;
    if (previous.status === record.status || stale) {
      result.unchanged++;
      continue;
    }
    const next = { status: record.status, connection, updatedAt: changedAt ?? now };
    events.push({
      eventId: `crm_status_changed:${digest(connection, person.personId, record.status, changedAt?.toISOString() ?? bodyDigest)}`,
      type: 'crm_status_changed',
      occurredAt: next.updatedAt.toISOString(),
      person: identifiers[index],
      properties: { status: record.status, previousStatus: previous.status ?? null, connection },
    });
    states.set(person.personId, next);
    writes.set(person.personId, next);
    result.updated++;
  }

  if (events.length) await (await ingestEvents(delivery, events)).signalled;
  await writeEach([...writes], ([personId, crm]) => Person.updateOne({ _id: personId }, { $set: { crm } }));
  return result;
}

/** The digest of a raw body, for event ids of records without a time of change. */
export const bodyDigestOf = (raw: Buffer) => createHash('sha256').update(raw).digest('base64url');
