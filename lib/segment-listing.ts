import { SegmentMember } from '../models/segment-membership';
import { matchingIds, type PreviewRequest } from './audience-preview';
import type { AudienceSnapshot } from './audience-snapshot';
import { insertNew } from './mongo-errors';
import { newSegmentId, saveSegment } from './segment-store';

/** Listings one insert carries. */
const PER_INSERT = 1000;

/**
 * Lists a new segment's members at once, before the segment is saved, from
 * the preview snapshot (it holds every write acknowledged before it is asked).
 * The entity workflows then judge everyone as before: they record the entries,
 * which journeys and streams hear of, and a member whose facts changed since
 * the snapshot loses her listing when first judged (domain/segments/membership).
 * Before the save, because a judgement made before the listing would not see it.
 */
export async function saveListingMembers(snapshot: AudienceSnapshot, input: PreviewRequest & { name: string }): Promise<{ id: string; revision: number }> {
  const id = newSegmentId();
  const now = Date.now();
  await listMembers(id, matchingIds(snapshot, input, now), new Date(now));
  return saveSegment({ id, ...input });
}

async function listMembers(segmentId: string, memberIds: readonly string[], at: Date): Promise<void> {
  for (let i = 0; i < memberIds.length; i += PER_INSERT) {
    const docs = memberIds.slice(i, i + PER_INSERT).map((memberId) => ({ _id: `${segmentId}:${memberId}`, segmentId, memberId, since: at }));
    await insertNew((batch) => SegmentMember.insertMany(batch, { ordered: false }), docs);
  }
}
