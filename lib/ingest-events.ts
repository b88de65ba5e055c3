import { type AccountEvent, type EventType, EVENT_TYPES, isBuiltInEventType } from '../domain/events';
import type { Identifiers } from '../domain/identity';
import { EntityRef, entityRefFor, entityWorkflowId } from '../domain/routing';
import { Interaction } from '../models/interaction';
import { PendingEvent } from '../models/pending-event';
import { Person } from '../models/person';
import { DeliveryTarget, requestRefresh } from './deliver-events';
import type { Sent } from './event-signals';
import { countSeen, Registered, registeredNames, registerSeen } from './event-types';
import { adoptEmail, relinkIdentities, ResolvedPerson, resolvePeople } from './identity-store';
import { writeEach } from './each-statement';
import { insertNew } from './mongo-errors';
import { clearPending } from './pending-markers';
import { op } from './query';

export interface IncomingEvent {
  eventId: string;
  type: EventType;
  occurredAt: string;
  person: Identifiers;
  accountKey?: string;
  properties?: Record<string, unknown>;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Events refused after validation (a custom type never registered, identifiers that cannot be joined), by their index in the input. */
  rejected: { index: number; error: string; field: 'type' | 'person' }[];
  /**
   * Resolves once every entity workflow's signal has been sent, with how many
   * failed (the sweeper re-sends those). The answer to a source need not wait
   * for it: the events are stored, and their pending markers outlive the process.
   */
  signalled: Promise<Sent>;
}

export interface IngestOptions {
  /** false: store only, the sweeper signals later (tests of the sweeper). */
  signal?: boolean;
  /**
   * Custom event names: 'registered' (POST /v1/events, imports) refuses a name
   * never registered; 'register' (the tracking API) registers it on first sight.
   */
  names?: 'registered' | 'register';
}

/** The known types among these, each with what it means: unknown custom names are registered, or left out to be refused. */
export async function eventMeanings(types: Iterable<string>, names: 'registered' | 'register'): Promise<Map<string, Registered>> {
  const all = [...new Set(types)];
  const known = await registeredNames(all);
  const unknown = all.filter((t) => !isBuiltInEventType(t) && !known.has(t));
  if (names === 'register' && unknown.length) {
    await registerSeen(unknown);
    for (const t of unknown) known.set(t, {});
  }
  for (const t of all) if (isBuiltInEventType(t)) known.set(t, {});
  return known;
}

const unregistered = (type: string) =>
  `no event type '${type}': use a built-in type (${EVENT_TYPES.join(', ')}) or a name registered with PUT /v1/event-types/:name or first sent through the tracking API`;

/**
 * Stores a validated batch and queues one signal per entity workflow
 * (lib/event-signals.ts). Order matters for "nothing lost": the pending record
 * is written before the interaction, so an event stored is always either
 * applied or re-sent.
 */
export async function ingestEvents(target: DeliveryTarget, events: IncomingEvent[], opts: IngestOptions = {}): Promise<IngestResult> {
  const meanings = await eventMeanings(events.map((e) => e.type), opts.names ?? 'registered');
  const typeRejected = events.flatMap((e, index) => (meanings.has(e.type) ? [] : [{ index, error: unregistered(e.type), field: 'type' as const }]));
  const kept = events.map((_, i) => i).filter((i) => meanings.has(events[i].type));
  const people = await resolvePeople(kept.map((i) => ({ ids: events[i].person, accountKey: events[i].accountKey })));
  const result = await ingestResolved(target, kept.map((i) => events[i]), people, meanings, opts);
  const rejected = [...typeRejected, ...result.rejected.map((r) => ({ ...r, index: kept[r.index] }))].sort((a, b) => a.index - b.index);
  return { ...result, rejected };
}

/**
 * The second half of ingestion, for events whose people are resolved already
 * (the tracking API resolves a batch's identities in message order first):
 * links known people to the account their event names, stores, signals.
 */
export async function ingestResolved(target: DeliveryTarget, events: IncomingEvent[], resolved: ResolvedPerson[], meanings: Map<string, Registered>, opts: IngestOptions = {}): Promise<IngestResult> {
  const rejected = resolved.flatMap((p, index) => (p.error ? [{ index, error: p.error, field: 'person' as const }] : []));
  const kept = events.map((e, i) => ({ e, p: resolved[i] })).filter(({ p }) => !p.error);
  events = kept.map((k) => k.e);
  const people = kept.map((k) => k.p);
  await completeKnownPeople(people);
  await refreshAfterMerges(target, people);
  // Waits while the process has more stored events than it has signalled so far: the lag behind stays bounded.
  await target.signals.room();
  const receivedAt = new Date();
  const routed = events.map((e, i) => {
    const personId = people[i].personId;
    const entity = entityRefFor(e.accountKey ?? people[i].accountKey, personId);
    const means = meanings.get(e.type)?.means;
    const event: AccountEvent = { eventId: e.eventId, type: e.type, ...(means ? { means } : {}), occurredAt: e.occurredAt, personId, ...(e.properties ? { properties: e.properties } : {}) };
    return { entity, event, workflowId: entityWorkflowId(entity), source: e };
  });

  const pendingNew = await insertNew(
    (docs) => PendingEvent.insertMany(docs, { ordered: false }),
    routed.map((r) => ({ _id: r.event.eventId, workflowId: r.workflowId, entity: r.entity, event: r.event, receivedAt })),
  );
  const stored = await insertNew(
    (docs) => Interaction.insertMany(docs, { ordered: false }),
    routed.map((r) => ({
      _id: r.event.eventId,
      type: r.event.type,
      ...(r.event.means ? { means: r.event.means } : {}),
      occurredAt: new Date(r.event.occurredAt),
      receivedAt,
      personId: r.event.personId,
      accountKey: r.entity.kind === 'account' ? r.entity.accountKey : undefined,
      properties: r.source.properties ?? {},
    })),
  );
  // A marker written for an event stored before (a replay) is not needed: each workflow's markers go in one statement.
  const duplicatePending = new Map<string, string[]>();
  for (const [i, r] of routed.entries()) {
    if (!stored[i] && pendingNew[i]) duplicatePending.set(r.workflowId, [...(duplicatePending.get(r.workflowId) ?? []), r.event.eventId]);
  }
  await writeEach([...duplicatePending], ([workflowId, eventIds]) => clearPending(workflowId, eventIds));

  const groups = new Map<string, { entity: EntityRef; events: AccountEvent[] }>();
  routed.forEach((r, i) => {
    if (!stored[i] || opts.signal === false) return;
    const group = groups.get(r.workflowId) ?? { entity: r.entity, events: [] };
    group.events.push(r.event);
    groups.set(r.workflowId, group);
  });
  const { sent } = target.signals.enqueue(groups);
  const accepted = stored.filter(Boolean).length;
  countSeen(routed.filter((_, i) => stored[i]).map((r) => r.event.type), receivedAt);
  return { accepted, duplicates: events.length - accepted, rejected, signalled: sent };
}

/** A merge moved behaviour between people: their entities re-score. */
export async function refreshAfterMerges(target: DeliveryTarget, people: ResolvedPerson[]): Promise<void> {
  for (const p of people.filter((x) => x.merged.length)) {
    await requestRefresh(target, entityRefFor(p.linkedAccountKey, p.personId), `merged ${p.merged.join(', ')}`);
  }
}

/**
 * A known person without an account joins the account the event names or
 * her email's domain matches, and takes an email newly bound to her. Only
 * people whose identity changed are written: known people cost no write.
 */
async function completeKnownPeople(people: ResolvedPerson[]): Promise<void> {
  const updates = new Map<string, { accountKey?: string; email?: string }>();
  for (const p of people) {
    if (p.created) continue;
    const u = updates.get(p.personId) ?? {};
    if (!p.linkedAccountKey && p.accountKey) u.accountKey = p.accountKey;
    if (p.emailAdded) u.email = p.emailAdded;
    if (u.accountKey || u.email) updates.set(p.personId, u);
  }
  for (const [personId, u] of updates) {
    if (u.accountKey) {
      await Person.updateOne({ _id: personId, accountKey: op({ $exists: false }) }, { $set: { accountKey: u.accountKey } });
      await relinkIdentities(personId, u.accountKey);
    }
    await adoptEmail(personId, u.email);
  }
}
