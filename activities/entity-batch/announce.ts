import type { Memberships } from '../../domain/segments/membership';
import { audienceChangeMessages } from '../../lib/audience-changes';
import { qualifiedLeadMessages } from '../../lib/crm-sync';
import { recordMessages } from '../../lib/deliveries';
import { insertNew } from '../../lib/mongo-errors';
import { ScoreEvent } from '../../models/score-event';
import { dropListings, recordMembershipChanges } from '../segment-changes';
import type { AccountHooks } from './hooks';
import type { EntityBatch } from './read';
import type { Scores } from './score';

/** Proof that what the batch changed was announced: the members' own fields may be written now. */
export interface Announced {
  readonly announced: true;
}

/**
 * Everything that reacts to what changed, recorded before the members' own
 * fields: a retry after those were written would no longer see the change.
 * Status events and qualified-lead messages, account segments entered
 * (journeys), segment entries and exits (nurture streams), listings a save
 * made for members who do not match, audience changes.
 */
export async function announceChanges(batch: EntityBatch, scores: Scores, memberships: Memberships, hooks?: AccountHooks): Promise<Announced> {
  const { entity, batchId } = batch;
  const accountKey = entity.kind === 'account' ? entity.accountKey : undefined;
  const at = new Date(batch.now);
  const deliver = hooks?.deliver ?? recordMessages;
  await insertNew(
    (docs) => ScoreEvent.insertMany(docs, { ordered: false }),
    scores.statusChanges.map((c) => ({ _id: `${c.personId}:${batchId}`, type: `score.${c.to}`, personId: c.personId, accountKey, from: c.from, to: c.to, total: c.total, modelVersion: batch.scoring.version, at })),
  );
  await deliver(await qualifiedLeadMessages(scores.statusChanges, (personId) => `${personId}:${batchId}`, accountKey));
  if (accountKey && hooks) {
    const accountSegments = new Set(batch.segments.segments.filter((x) => x.level === 'account').map((x) => x.id));
    const entered = memberships.changes.filter((c) => c.change === 'entered' && c.memberId === accountKey && accountSegments.has(c.segmentId)).map((c) => c.segmentId);
    await hooks.enteredSegments(accountKey, entered);
  }
  await recordMembershipChanges(memberships.changes, batchId, at);
  await dropListings(memberships.unlisted);
  await hooks?.segmentsChanged(memberships.changes);
  await deliver(await audienceChangeMessages(memberships.changes, batchId, batch.people));
  return { announced: true };
}
