import { cacheRead, type DefinitionNeeds } from '../../domain/definition-versions';
import type { AccountEvent } from '../../domain/events';
import type { EntityRef } from '../../domain/routing';
import { op } from '../../lib/query';
import { scoringModel, type ActiveModel } from '../../lib/scoring-model-store';
import { savedSegments, type SegmentSet } from '../../lib/segment-store';
import { Account } from '../../models/account';
import { Person } from '../../models/person';

export type PersonRecord = Record<string, any> & { _id: string };

/** What a batch reads before deciding anything: the entity as it is, and the rules to judge it by. */
export interface EntityBatch {
  entity: EntityRef;
  batchId: string;
  now: number;
  scoring: ActiveModel;
  segments: SegmentSet;
  account: PersonRecord | null;
  /** The entity's people, and the people its events name who are elsewhere now (left the account, or the survivors of merges). */
  people: Map<string, PersonRecord>;
  /** The batch's events, each on the person it belongs to now. */
  events: AccountEvent[];
}

const MAX_MERGE_HOPS = 5;

/**
 * Reads the entity's account and people, the scoring model and the saved
 * segments: cached unless `needs` asks for the latest or a newer version, and
 * never older than what these people were last judged by (another worker saw
 * a newer one first).
 */
export async function readEntity(entity: EntityRef, batchId: string, events: AccountEvent[], needs: DefinitionNeeds): Promise<EntityBatch> {
  const now = Date.now();
  // Side by side: every batch waits for all four, and under load each read waits its turn at the database.
  const [cachedModel, cachedSegments, account, found] = await Promise.all([
    scoringModel(cacheRead(needs, 'model')),
    savedSegments(cacheRead(needs, 'segments')),
    entity.kind === 'account' ? Account.findOne({ _id: entity.accountKey }).lean() : null,
    (entity.kind === 'account'
      ? Person.find({ accountKey: entity.accountKey, mergedInto: op({ $exists: false }) }).lean()
      : Person.find({ _id: entity.personId }).lean()) as Promise<PersonRecord[]>,
  ]);
  const people = new Map(found.filter((p) => !p.mergedInto).map((p) => [p._id, p]));
  const newest = Math.max(0, ...found.map((p) => p.scoreModelVersion ?? 0));
  const scoring = newest > cachedModel.version ? await scoringModel({ atLeast: newest }) : cachedModel;
  const newestSegments = Math.max(0, ...found.map((p) => p.segmentsRevision ?? 0));
  const segments = newestSegments > cachedSegments.revision ? await savedSegments({ atLeast: newestSegments }) : cachedSegments;
  return { entity, batchId, now, scoring, segments, account: account as PersonRecord | null, people, events: await redirected(events, people) };
}

/**
 * People who left the account after their events were routed here still get
 * them; events of a merged person go to the person it was merged into. The
 * people found are added to `people`.
 */
async function redirected(events: AccountEvent[], people: Map<string, PersonRecord>): Promise<AccountEvent[]> {
  const redirect = new Map<string, string>();
  for (const id of new Set(events.map((e) => e.personId))) {
    if (people.has(id)) continue;
    let p = await Person.findOne({ _id: id }).lean();
    for (let hops = 0; p?.mergedInto && hops < MAX_MERGE_HOPS; hops++) p = await Person.findOne({ _id: p.mergedInto }).lean();
    if (!p || p.mergedInto) continue;
    people.set(p._id, p);
    if (p._id !== id) redirect.set(id, p._id);
  }
  return events.map((e) => (redirect.has(e.personId) ? { ...e, personId: redirect.get(e.personId)! } : e));
}
