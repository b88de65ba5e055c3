import { activityIncrements, type ActivityDelta } from '../../domain/activity-counters';
import { accountContext } from '../../domain/entity-context';
import { movesOf, tally } from '../../domain/people-counts';
import { entityWorkflowId } from '../../domain/routing';
import { rollUpAccount } from '../../domain/scoring/account';
import type { Memberships } from '../../domain/segments/membership';
import { writeEach } from '../../lib/each-statement';
import { isDuplicateKey } from '../../lib/mongo-errors';
import { sameAsStored } from '../../lib/same-stored';
import { clearPending } from '../../lib/pending-markers';
import { addMoves } from '../../lib/people-counts';
import { op } from '../../lib/query';
import { Account } from '../../models/account';
import { Person } from '../../models/person';
import type { Announced } from './announce';
import type { AccountHooks } from './hooks';
import type { EntityBatch } from './read';
import { earliest, type Scores } from './score';

/** Proof that the entity's own documents hold the batch: what reacts to its events may run, its markers may go. */
export interface Written {
  readonly written: true;
  nextChangeAt?: string;
}

function counterUpdate(delta: ActivityDelta) {
  return { $inc: activityIncrements(delta), $max: { lastActivityAt: new Date(delta.lastActivityAt) } };
}

/**
 * Nothing to write. The revision alone is no reason (progress counts people),
 * unless an account segment was saved since the account was judged: until the
 * revision moves, every batch would look for a listing of it to drop.
 */
function sameAccount(stored: Record<string, unknown>, set: Record<string, unknown>, segments: EntityBatch['segments']): boolean {
  const judgedAt = (stored.segmentsRevision as number | undefined) ?? 0;
  if (segments.segments.some((s) => s.level === 'account' && s.revision > judgedAt)) return false;
  const { segmentsRevision: _revision, ...computed } = set;
  return sameAsStored(Object.fromEntries(Object.keys(computed).map((k) => [k, stored[k]])), computed);
}

const sameMembers = (a: readonly string[] | undefined | null, b: readonly string[]) => (a ?? []).length === b.length && b.every((id) => a!.includes(id));

/**
 * The people, then the account: counters only where the document does not
 * carry this batch yet (a retry counts nothing twice), scores and segments
 * only where something changed. Returns when the entity next changes with time.
 */
export async function writeEntity(batch: EntityBatch, scores: Scores, memberships: Memberships, _announced: Announced): Promise<Written> {
  const { entity, batchId, segments } = batch;
  const personOps: { filter: Record<string, unknown>; update: Record<string, unknown>; moves: string[] }[] = [];
  for (const { p, set, changed } of scores.people) {
    const withSegments = { ...set, segments: memberships.people.get(p._id)!, segmentsRevision: segments.revision };
    const moves = movesOf(p, withSegments);
    const delta = scores.perPerson.get(p._id);
    if (delta) {
      personOps.push({ filter: { _id: p._id, lastBatchId: op({ $ne: batchId }) }, update: { ...counterUpdate(delta), $set: { ...withSegments, lastBatchId: batchId } }, moves });
    } else if (changed || p.segmentsRevision !== segments.revision || !sameMembers(p.segments, withSegments.segments)) {
      personOps.push({ filter: { _id: p._id }, update: { $set: withSegments }, moves });
    }
  }
  // A person without an account is written by its own workflow only until it joins one; from then on only the account's writes it.
  const ownWriter = entity.kind === 'person' ? { accountKey: op({ $exists: false }) } : {};
  let unmatched = 0;
  const moved: string[][] = [];
  await writeEach(personOps, async (o) => {
    if ((await Person.updateOne({ ...o.filter, ...ownWriter }, o.update)).matchedCount === 0) unmatched += 1;
    else moved.push(o.moves);
  });
  // Right after the writes it counts: a retry reads these people with their new values and counts them no more.
  await addMoves(tally(moved));
  if (entity.kind === 'person' && unmatched > 0) await handOverIfJoined(entity.personId, batchId);

  let nextChangeAt = earliest(scores.nextChangeAt, memberships.nextChangeAt === undefined ? undefined : new Date(memberships.nextChangeAt).toISOString());
  if (entity.kind !== 'account') return { written: true, nextChangeAt };
  const rollup = rollUpAccount(batch.scoring.model, accountContext(batch.account) ?? { key: entity.accountKey }, scores.summaries, batch.now);
  nextChangeAt = earliest(nextChangeAt, rollup.nextChangeAt);
  const set = {
    score: { ...rollup.score, modelVersion: batch.scoring.version },
    engagement: rollup.engagement,
    recentlyActiveContacts: rollup.recentlyActiveContacts,
    topInterests: rollup.topInterests,
    segments: memberships.account,
    segmentsRevision: segments.revision,
  };
  if (scores.total) {
    // An event may name an account nobody described yet: it starts as a placeholder.
    const update = { ...counterUpdate(scores.total), $set: { ...set, lastBatchId: batchId }, $setOnInsert: { name: entity.accountKey } };
    try {
      await Account.updateOne({ _id: entity.accountKey, lastBatchId: op({ $ne: batchId }) }, update, { upsert: true });
    } catch (err) {
      // The upsert collides only with an account that already has this batch.
      if (!isDuplicateKey(err)) throw err;
    }
  } else if (batch.account && !sameAccount(batch.account, set, segments)) {
    await Account.updateOne({ _id: entity.accountKey }, { $set: set });
  }
  return { written: true, nextChangeAt };
}

/**
 * The person joined an account while its own workflow applied this batch (its
 * events were queued before the join, which the API made meanwhile): nothing
 * was written, and the retry hands the batch to the account's workflow, the
 * person's one writer now. Otherwise the two would overwrite each other's
 * recent events.
 */
async function handOverIfJoined(personId: string, batchId: string): Promise<void> {
  const person = await Person.findOne({ _id: personId }, { accountKey: 1, lastBatchId: 1 }).lean();
  if (person?.accountKey && person.lastBatchId !== batchId) {
    throw new Error(`person ${personId} joined account ${person.accountKey} while its batch was applied; the retry hands the batch to the account`);
  }
}

/** After the writes: journeys hear the events (they see them applied), then the batch's pending markers go, last, so a crash before re-sends it. */
export async function finishBatch(batch: EntityBatch, _written: Written, hooks?: AccountHooks): Promise<void> {
  if (batch.entity.kind === 'account' && hooks) await hooks.applied(batch.entity.accountKey, batch.events);
  await clearPending(entityWorkflowId(batch.entity), batch.events.map((e) => e.eventId));
}
