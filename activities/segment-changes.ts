import { segmentChangeId, type MembershipChange, type Unlisted } from '../domain/segments/membership';
import { writeEach } from '../lib/each-statement';
import { insertNew } from '../lib/mongo-errors';
import { SegmentChange, SegmentMember } from '../models/segment-membership';

/**
 * Records entries and exits, then the current members. Written before the
 * member's own `segments` field: a retry of the batch finds the same changes,
 * and their ids (segment, member, batch) make the second write a no-op.
 */
export async function recordMembershipChanges(changes: readonly MembershipChange[], batchId: string, at: Date): Promise<void> {
  if (changes.length === 0) return;
  await insertNew(
    (docs) => SegmentChange.insertMany(docs, { ordered: false }),
    changes.map((c) => ({ _id: segmentChangeId(c, batchId), segmentId: c.segmentId, memberId: c.memberId, change: c.change, at })),
  );
  await writeEach(changes, (c) => {
    const _id = `${c.segmentId}:${c.memberId}`;
    return c.change === 'entered'
      ? SegmentMember.updateOne({ _id }, { $setOnInsert: { segmentId: c.segmentId, memberId: c.memberId, since: at } }, { upsert: true })
      : SegmentMember.deleteOne({ _id });
  });
}

/** Listings a save made for members who, judged now, do not match: a no-op for those it never listed. Before the member's `segmentsRevision` moves, so a retry deletes them again. */
export async function dropListings(unlisted: readonly Unlisted[]): Promise<void> {
  await writeEach(unlisted, (u) => SegmentMember.deleteOne({ _id: `${u.segmentId}:${u.memberId}` }));
}
