import { EntityRef, entityRefFor, entityWorkflowId } from '../domain/routing';
import { Account } from '../models/account';
import type { Consent } from '../domain/email/consent';
import { Person } from '../models/person';
import { changeConsent, unknownTopics } from './consent-store';
import { DeliveryTarget, requestRefresh } from './deliver-events';
import { relinkIdentities, resolvePeople } from './identity-store';
import type { AccountRow, PersonRow } from './import-rows';
import { IncomingEvent, ingestEvents } from './ingest-events';
import { findEach, writeEach } from './each-statement';

/**
 * Writes one chunk of valid rows the way the single-record API calls do
 * (PUT /v1/accounts, PUT /v1/people, POST /v1/events), but per chunk: one
 * identity read, one write per distinct record, and one refresh per touched
 * entity, not per row. Every write is idempotent, so a retried chunk changes nothing more.
 */
export interface WriteOutcome {
  duplicates: number;
  /** Rows refused at write time, by their index in the input. */
  rejected: { index: number; field?: string; message: string }[];
}

/** What the importing key may change (domain/roles decidesSalesVisibility); rows beyond it are refused, as the API calls would be. */
export interface WriteRules {
  decidesSalesVisibility: boolean;
}

async function refreshEach(delivery: DeliveryTarget, refs: Map<string, EntityRef>, reason: string): Promise<void> {
  await writeEach([...refs.values()], (ref) => requestRefresh(delivery, ref, reason));
}

function touch(refs: Map<string, EntityRef>, ref: EntityRef): void {
  refs.set(entityWorkflowId(ref), ref);
}

export async function writeAccounts(delivery: DeliveryTarget, rows: AccountRow[], rules: WriteRules): Promise<WriteOutcome> {
  const rejected: WriteOutcome['rejected'] = [];
  const owners = rules.decidesSalesVisibility ? new Map<string, string | undefined>() : await currentOwners(rows);
  // The same key twice in a chunk ends as two PUTs in file order would.
  const merged = new Map<string, AccountRow['input']>();
  rows.forEach((r, index) => {
    if (!rules.decidesSalesVisibility && r.input.ownerId !== undefined && r.input.ownerId !== owners.get(r.accountKey)) {
      rejected.push({ index, field: 'ownerId', message: "this key's role may not change an account's owner" });
      return;
    }
    merged.set(r.accountKey, { ...merged.get(r.accountKey), ...r.input });
  });
  // One statement per account, bounded: a bulkWrite of many updates starves FerretDB's pool (lib/each-statement).
  await writeEach([...merged], ([accountKey, input]) => Account.updateOne({ _id: accountKey }, { $set: input }, { upsert: true, runValidators: true }));
  const refs = new Map<string, EntityRef>();
  for (const accountKey of merged.keys()) touch(refs, { kind: 'account', accountKey });
  await refreshEach(delivery, refs, 'accounts imported');
  return { duplicates: 0, rejected };
}

async function currentOwners(rows: AccountRow[]): Promise<Map<string, string | undefined>> {
  const keys = rows.filter((r) => r.input.ownerId !== undefined).map((r) => r.accountKey);
  const accounts = await findEach(keys, (_id) => Account.find({ _id }, { ownerId: 1 }).lean());
  return new Map(accounts.map((a) => [a._id, a.ownerId ?? undefined]));
}

/** Two rows for one person in a chunk: the later one's values win, topic by topic. */
function laterConsent(earlier: Consent | undefined, later: Consent): Consent {
  return { ...earlier, ...later, ...(earlier?.topics || later.topics ? { topics: { ...earlier?.topics, ...later.topics } } : {}) };
}

export async function writePeople(delivery: DeliveryTarget, rows: PersonRow[], rules: WriteRules, importId: string): Promise<WriteOutcome> {
  const topicsOf = (r: PersonRow) => Object.keys(r.input.consent?.topics ?? {});
  const unknown = new Set(await unknownTopics([...new Set(rows.flatMap(topicsOf))]));
  // A row with consent to an undefined topic is refused before anyone is created for it.
  const unknownTopicOf = rows.map((r) => topicsOf(r).find((t) => unknown.has(t)));
  // One identity read for the whole chunk; new people are created here.
  const kept = await resolvePeople(
    rows.filter((_, i) => !unknownTopicOf[i]).map((r) => {
      const { consent: _consent, ...fields } = r.input;
      return { ids: { email: r.email }, accountKey: r.input.accountKey, create: fields };
    }),
  );
  let k = 0;
  const resolved = unknownTopicOf.map((topic) => (topic ? undefined : kept[k++]));
  const rejected: WriteOutcome['rejected'] = [];
  const updates = new Map<string, Omit<PersonRow['input'], 'consent'>>();
  const consents = new Map<string, Consent>();
  const moves = new Map<string, string>();
  const refs = new Map<string, EntityRef>();
  // A person created from a row was created with its fields: only rows for people already there (another row's too) are written.
  const existing = new Set<string>();
  rows.forEach((r, index) => {
    const topic = unknownTopicOf[index];
    if (topic) {
      rejected.push({ index, field: `consent.topics.${topic}`, message: `no subscription topic '${topic}'` });
      return;
    }
    const p = resolved[index]!;
    if (p.error) {
      rejected.push({ index, field: 'email', message: p.error });
      return;
    }
    const moved = r.input.accountKey && r.input.accountKey !== p.linkedAccountKey;
    if (moved && p.linkedAccountKey && !rules.decidesSalesVisibility) {
      rejected.push({ index, field: 'accountKey', message: "the person is linked to another account; this key's role may not move people between accounts" });
      return;
    }
    const { consent, ...input } = r.input;
    updates.set(p.personId, { ...updates.get(p.personId), ...input });
    if (!p.created) existing.add(p.personId);
    if (consent) consents.set(p.personId, laterConsent(consents.get(p.personId), consent));
    if (moved) moves.set(p.personId, r.input.accountKey!);
    // Fit rules see the new attributes; a move takes the person's contribution to the new account.
    touch(refs, entityRefFor(r.input.accountKey ?? p.linkedAccountKey, p.personId));
    if (moved && p.linkedAccountKey) touch(refs, { kind: 'account', accountKey: p.linkedAccountKey });
  });
  const writes = [...updates].filter(([personId, input]) => existing.has(personId) && Object.keys(input).length > 0);
  await writeEach(writes, ([personId, input]) => Person.updateOne({ _id: personId }, { $set: input }));
  // As through the API: field by field, recorded and audited; a retried chunk finds nothing left to change.
  await writeEach([...consents], ([personId, consent]) => changeConsent(personId, consent, { source: 'import', ref: importId }));
  // Rare (a person changing account), so one write each is fine.
  for (const [personId, accountKey] of moves) await relinkIdentities(personId, accountKey);
  await refreshEach(delivery, refs, 'people imported');
  return { duplicates: 0, rejected };
}

export async function writeEvents(delivery: DeliveryTarget, events: IncomingEvent[]): Promise<WriteOutcome> {
  // One call for the chunk: one signal per account, duplicates counted by eventId.
  if (events.length === 0) return { duplicates: 0, rejected: [] };
  const result = await ingestEvents(delivery, events);
  // The chunk is done once its accounts have their events: an import does not race ahead of its own signals.
  await result.signalled;
  return { duplicates: result.duplicates, rejected: result.rejected.map((r) => ({ index: r.index, field: r.field, message: r.error })) };
}
