import type { AccountEvent } from '../domain/events';
import type { EntityRef } from '../domain/routing';
import { ActivityDelta, activityDeltas, activityIncrements } from '../domain/activity-counters';
import { rollUpAccount, summarizeContact } from '../domain/scoring/account';
import { ScoredEvent, scorePerson } from '../domain/scoring/evaluate';
import { retentionMs } from '../domain/scoring/model';
import { mergeRecentEvents } from '../domain/scoring/recent-events';
import { nextStatus, ScoreStatus, StatusState } from '../domain/scoring/status';
import { isDuplicateKey, insertNew } from '../lib/mongo-errors';
import { op } from '../lib/query';
import { writeEach } from '../lib/each-statement';
import { sameAsStored } from '../lib/same-stored';
import { scoringModel } from '../lib/scoring-model-store';
import { savedSegments } from '../lib/segment-store';
import type { PersonFacts } from '../domain/segments/evaluate';
import { evaluateMemberships, type MembershipChange } from '../domain/segments/membership';
import { accountContext, personContext, personFacts } from '../domain/entity-context';
import { recordMembershipChanges } from './segment-changes';
import { audienceChangeMessages } from '../lib/audience-changes';
import { refreshAccountGroups } from './buying-group-refresh';
import { Account } from '../models/account';
import { PendingEvent } from '../models/pending-event';
import { Person } from '../models/person';
import { ScoreEvent } from '../models/score-event';
import { qualifiedLeadMessages } from '../lib/crm-sync';
import { recordMessages, type NewMessage } from '../lib/deliveries';

export interface StatusChange {
  personId: string;
  from: ScoreStatus;
  to: ScoreStatus;
  total: number;
}

export interface EntityUpdate {
  /** Events applied (0 for a refresh). */
  applied: number;
  /** When scores next change with time alone: the workflow sleeps until then. */
  nextChangeAt?: string;
  statusChanges: StatusChange[];
  modelVersion: number;
}

type PersonRecord = Record<string, any> & { _id: string };

const MAX_MERGE_HOPS = 5;

function counterUpdate(delta: ActivityDelta) {
  return { $inc: activityIncrements(delta), $max: { lastActivityAt: new Date(delta.lastActivityAt) } };
}

const sameMembers = (a: readonly string[] | undefined | null, b: readonly string[]) => (a ?? []).length === b.length && b.every((id) => a!.includes(id));

const earliest = (...times: (string | undefined)[]) => times.filter((t): t is string => !!t).sort()[0];

/**
 * Applies a batch of events to an entity (account, or a person without one) and
 * re-scores everyone in it at the current time: counters, recent events, score
 * with breakdown, status, account roll-up. Reads are bounded per batch (model,
 * account, its people); writes go only where something changed. Each document
 * carries the last batch id, so a retry after a partial write counts nothing
 * twice. An empty batch is a refresh (time moved, the model or a person changed).
 */
/** What happens around an account's batch beyond its own documents (journeys). */
export interface AccountHooks {
  /**
   * Before anything of the batch is written, with the account segments it just
   * entered: a retry sees the same entries again, so what it starts must be
   * idempotent (journey starts are).
   */
  enteredSegments(accountKey: string, segmentIds: readonly string[]): Promise<void>;
  /** After the batch's writes, so what reacts to the events sees them applied; a retry repeats it. */
  applied(accountKey: string, events: readonly AccountEvent[]): Promise<void>;
  /** Records outbound messages (ids naming what caused them, so a retry records nothing twice) and wakes their delivery. */
  deliver(messages: NewMessage[]): Promise<unknown>;
  /** After the batch's segment entries and exits are recorded, before the members' own fields: a retry sees them again (nurture entry is idempotent). */
  segmentsChanged(changes: readonly MembershipChange[]): Promise<void>;
}

export async function applyToEntity(entity: EntityRef, batchId: string, events: AccountEvent[], hooks?: AccountHooks): Promise<EntityUpdate> {
  const now = Date.now();
  const [cachedModel, cachedSegments] = await Promise.all([scoringModel({ fresh: events.length === 0 }), savedSegments({ fresh: events.length === 0 })]);
  const account = entity.kind === 'account' ? await Account.findOne({ _id: entity.accountKey }).lean() : null;
  const people: PersonRecord[] =
    entity.kind === 'account'
      ? await Person.find({ accountKey: entity.accountKey, mergedInto: op({ $exists: false }) }).lean()
      : await Person.find({ _id: entity.personId }).lean();
  const byId = new Map(people.filter((p) => !p.mergedInto).map((p) => [p._id, p]));
  // Never score with a model older than the one these people were scored with (another worker saw it first).
  const newest = Math.max(0, ...people.map((p) => p.scoreModelVersion ?? 0));
  const { version, model } = newest > cachedModel.version ? await scoringModel({ atLeast: newest }) : cachedModel;
  const newestSegments = Math.max(0, ...people.map((p) => p.segmentsRevision ?? 0));
  const segmentSet = newestSegments > cachedSegments.revision ? await savedSegments({ atLeast: newestSegments }) : cachedSegments;
  // People who left the account after their events were routed here still get them;
  // events of a merged person go to the person it was merged into.
  const redirect = new Map<string, string>();
  for (const id of new Set(events.map((e) => e.personId))) {
    if (byId.has(id)) continue;
    let p = await Person.findOne({ _id: id }).lean();
    for (let hops = 0; p?.mergedInto && hops < MAX_MERGE_HOPS; hops++) p = await Person.findOne({ _id: p.mergedInto }).lean();
    if (!p || p.mergedInto) continue;
    byId.set(p._id, p);
    if (p._id !== id) redirect.set(id, p._id);
  }
  events = events.map((e) => (redirect.has(e.personId) ? { ...e, personId: redirect.get(e.personId)! } : e));

  const { total, perPerson } = activityDeltas(events);
  const keep = retentionMs(model);
  const statusChanges: StatusChange[] = [];
  const summaries = [];
  const scored: { p: PersonRecord; set: Record<string, unknown>; changed: boolean; facts: PersonFacts; behavior: number }[] = [];
  let nextChangeAt: string | undefined;
  for (const p of byId.values()) {
    const incoming: ScoredEvent[] = events
      .filter((e) => e.personId === p._id)
      .map((e) => ({ eventId: e.eventId, type: e.type, occurredAt: e.occurredAt, ...(e.properties ? { properties: e.properties } : {}) }));
    const recentEvents = mergeRecentEvents(p.recentEvents ?? [], incoming, now, keep);
    const score = scorePerson(model, { person: personContext(p), account: accountContext(account), events: recentEvents }, now);
    const prev: StatusState | undefined = p.score ? { status: p.score.status, lowSince: p.score.lowSince } : undefined;
    const status = nextStatus(model, prev, score.total, now);
    const summary = summarizeContact(p._id, score, recentEvents, now);
    if (entity.kind === 'account' && p.accountKey === entity.accountKey) summaries.push(summary);
    nextChangeAt = earliest(nextChangeAt, score.nextChangeAt, status.nextChangeAt);

    const newScore = {
      total: score.total,
      fit: score.fit,
      behavior: score.behavior,
      status: status.status,
      ...(status.lowSince ? { lowSince: status.lowSince } : {}),
      modelVersion: version,
      breakdown: score.breakdown,
      nextChangeAt: earliest(score.nextChangeAt, status.nextChangeAt),
    };
    const from: ScoreStatus = p.score?.status ?? 'nurture';
    if (from !== status.status) statusChanges.push({ personId: p._id, from, to: status.status, total: score.total });
    const set = { recentEvents, score: newScore, summary, scoreModelVersion: version };
    const changed = !sameAsStored({ s: p.score, m: p.summary }, { s: newScore, m: summary });
    scored.push({ p, set, changed, facts: personFacts(p, account, recentEvents, newScore), behavior: newScore.behavior });
  }

  const at = new Date(now);
  const inAccount = (p: PersonRecord) => entity.kind === 'account' && p.accountKey === entity.accountKey;
  const colleagues = scored.filter((x) => inAccount(x.p));
  const buyingGroups =
    entity.kind === 'account'
      ? await refreshAccountGroups(entity.accountKey, colleagues.map((x) => ({ personId: x.p._id, context: { person: x.facts.person, account: x.facts.account }, behavior: x.behavior })), at, { fresh: events.length === 0 }, hooks?.deliver ?? recordMessages)
      : [];
  const members = scored.map(({ p, facts }) => ({ id: p._id, facts, current: p.segments ?? [] }));
  const accountMember =
    entity.kind === 'account'
      ? { id: entity.accountKey, facts: { account: accountContext(account) ?? { key: entity.accountKey }, people: colleagues.map((x) => x.facts), buyingGroups }, current: account?.segments ?? [] }
      : undefined;
  const memberships = evaluateMemberships(segmentSet.segments, members, accountMember, now);
  if (memberships.nextChangeAt !== undefined) nextChangeAt = earliest(nextChangeAt, new Date(memberships.nextChangeAt).toISOString());

  const personOps: { filter: Record<string, unknown>; update: Record<string, unknown> }[] = [];
  for (const { p, set, changed } of scored) {
    const segments = memberships.people.get(p._id)!;
    const withSegments = { ...set, segments, segmentsRevision: segmentSet.revision };
    const delta = perPerson.get(p._id);
    if (delta) {
      personOps.push({
        filter: { _id: p._id, lastBatchId: op({ $ne: batchId }) },
        update: { ...counterUpdate(delta), $set: { ...withSegments, lastBatchId: batchId } },
      });
    } else if (changed || p.segmentsRevision !== segmentSet.revision || !sameMembers(p.segments, segments)) {
      personOps.push({ filter: { _id: p._id }, update: { $set: withSegments } });
    }
  }
  // Status events first: a retry after the people were written no longer sees the change.
  await insertNew(
    (docs) => ScoreEvent.insertMany(docs, { ordered: false }),
    statusChanges.map((c) => ({
      _id: `${c.personId}:${batchId}`,
      type: `score.${c.to}`,
      personId: c.personId,
      accountKey: entity.kind === 'account' ? entity.accountKey : undefined,
      from: c.from,
      to: c.to,
      total: c.total,
      modelVersion: version,
      at,
    })),
  );
  await (hooks?.deliver ?? recordMessages)(await qualifiedLeadMessages(statusChanges, (personId) => `${personId}:${batchId}`, entity.kind === 'account' ? entity.accountKey : undefined));
  if (entity.kind === 'account' && hooks) {
    const accountSegments = new Set(segmentSet.segments.filter((x) => x.level === 'account').map((x) => x.id));
    const entered = memberships.changes.filter((c) => c.change === 'entered' && c.memberId === entity.accountKey && accountSegments.has(c.segmentId)).map((c) => c.segmentId);
    await hooks.enteredSegments(entity.accountKey, entered);
  }
  await recordMembershipChanges(memberships.changes, batchId, at);
  await hooks?.segmentsChanged(memberships.changes);
  await (hooks?.deliver ?? recordMessages)(await audienceChangeMessages(memberships.changes, batchId, byId));
  await writeEach(personOps, (o) => Person.updateOne(o.filter, o.update));

  if (entity.kind === 'account') {
    const rollup = rollUpAccount(model, accountContext(account) ?? { key: entity.accountKey }, summaries, now);
    nextChangeAt = earliest(nextChangeAt, rollup.nextChangeAt);
    const set = {
      score: { ...rollup.score, modelVersion: version },
      engagement: rollup.engagement,
      recentlyActiveContacts: rollup.recentlyActiveContacts,
      topInterests: rollup.topInterests,
      segments: memberships.account,
      segmentsRevision: segmentSet.revision,
    };
    if (total) {
      // An event may name an account nobody described yet: it starts as a placeholder.
      const update = { ...counterUpdate(total), $set: { ...set, lastBatchId: batchId }, $setOnInsert: { name: entity.accountKey } };
      try {
        await Account.updateOne({ _id: entity.accountKey, lastBatchId: op({ $ne: batchId }) }, update, { upsert: true });
      } catch (err) {
        // The upsert collides only with an account that already has this batch.
        if (!isDuplicateKey(err)) throw err;
      }
    } else if (account) {
      await Account.updateOne({ _id: entity.accountKey }, { $set: set });
    }
  }

  if (entity.kind === 'account' && hooks) await hooks.applied(entity.accountKey, events);
  await writeEach(events, (e) => PendingEvent.deleteOne({ _id: e.eventId }));
  return { applied: events.length, nextChangeAt, statusChanges, modelVersion: version };
}
