import { activityDeltas, type ActivityDelta } from '../../domain/activity-counters';
import { summarizeContact } from '../../domain/scoring/account';
import { scorePerson, type ScoredEvent } from '../../domain/scoring/evaluate';
import { retentionMs } from '../../domain/scoring/model';
import { mergeRecentEvents } from '../../domain/scoring/recent-events';
import { nextStatus, type ScoreStatus, type StatusState } from '../../domain/scoring/status';
import type { PersonFacts } from '../../domain/segments/evaluate';
import { accountContext, personContext, personFacts } from '../../domain/entity-context';
import { sameAsStored } from '../../lib/same-stored';
import type { Candidate } from '../../domain/buying-groups/assign';
import type { EntityBatch, PersonRecord } from './read';

export interface StatusChange {
  personId: string;
  from: ScoreStatus;
  to: ScoreStatus;
  total: number;
}

export interface ScoredPerson {
  p: PersonRecord;
  /** The person's new recent events, score, summary and model version. */
  set: Record<string, unknown>;
  /** Whether the score or summary differ from what is stored. */
  changed: boolean;
  facts: PersonFacts;
  behavior: number;
}

/** Everyone re-scored at the batch's moment, with what the batch counts. */
export interface Scores {
  people: ScoredPerson[];
  /** The summaries of the account's own contacts, for its roll-up. */
  summaries: ReturnType<typeof summarizeContact>[];
  statusChanges: StatusChange[];
  total: ActivityDelta | undefined;
  perPerson: Map<string, ActivityDelta>;
  nextChangeAt?: string;
}

export const earliest = (...times: (string | undefined)[]) => times.filter((t): t is string => !!t).sort()[0];

/** What scoring reads of a batch (a set-up assembling groups from the preview snapshot has no batch id or segments). */
export type ScoringInput = Pick<EntityBatch, 'entity' | 'now' | 'scoring' | 'account' | 'people' | 'events'>;

/** Scores every person of the batch with their recent events (the new ones merged in): score, status and the moment either next changes with time. */
export function scoreEveryone(batch: ScoringInput): Scores {
  const { scoring, account, entity, now } = batch;
  const { total, perPerson } = activityDeltas(batch.events);
  const keep = retentionMs(scoring.model);
  const scores: Scores = { people: [], summaries: [], statusChanges: [], total, perPerson };
  for (const p of batch.people.values()) {
    const incoming: ScoredEvent[] = batch.events
      .filter((e) => e.personId === p._id)
      .map((e) => ({ eventId: e.eventId, type: e.type, ...(e.means ? { means: e.means } : {}), occurredAt: e.occurredAt, ...(e.properties ? { properties: e.properties } : {}) }));
    const recentEvents = mergeRecentEvents(p.recentEvents ?? [], incoming, now, keep);
    const score = scorePerson(scoring.model, { person: personContext(p), account: accountContext(account), events: recentEvents }, now);
    const prev: StatusState | undefined = p.score ? { status: p.score.status, lowSince: p.score.lowSince } : undefined;
    const status = nextStatus(scoring.model, prev, score.total, now);
    const summary = summarizeContact(p._id, score, recentEvents, now);
    if (entity.kind === 'account' && p.accountKey === entity.accountKey) scores.summaries.push(summary);
    scores.nextChangeAt = earliest(scores.nextChangeAt, score.nextChangeAt, status.nextChangeAt);
    const newScore = {
      total: score.total,
      fit: score.fit,
      behavior: score.behavior,
      status: status.status,
      ...(status.lowSince ? { lowSince: status.lowSince } : {}),
      modelVersion: scoring.version,
      breakdown: score.breakdown,
      nextChangeAt: earliest(score.nextChangeAt, status.nextChangeAt),
    };
    const from: ScoreStatus = p.score?.status ?? 'nurture';
    if (from !== status.status) scores.statusChanges.push({ personId: p._id, from, to: status.status, total: score.total });
    scores.people.push({
      p,
      set: { recentEvents, score: newScore, summary, scoreModelVersion: scoring.version },
      changed: !sameAsStored({ s: p.score, m: p.summary }, { s: newScore, m: summary }),
      facts: personFacts(p, account, recentEvents, newScore),
      behavior: newScore.behavior,
    });
  }
  return scores;
}

/** The account's own contacts among the scored: a batch also scores people its events name who are elsewhere now. */
export function contactsOf(scores: Scores, accountKey: string): ScoredPerson[] {
  return scores.people.filter((x) => x.p.accountKey === accountKey);
}

/** Contacts as buying-group candidates: the facts roles are tested on, and the behaviour points a group's engagement adds up. */
export function groupCandidates(contacts: readonly ScoredPerson[]): Candidate[] {
  return contacts.map((x) => ({ personId: x.p._id, context: { person: x.facts.person, account: x.facts.account }, behavior: x.behavior }));
}
