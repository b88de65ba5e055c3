import { readSegments } from '../lib/segment-store';
import { SegmentMember } from '../models/segment-membership';
import { Person } from '../models/person';
import { op } from '../lib/query';

/** The current segment revision and how many people were evaluated against it (a top-level equality). */
export async function segmentProgress(): Promise<{ revision: number; evaluated: number }> {
  const { revision } = await readSegments();
  return { revision, evaluated: await Person.countDocuments({ segmentsRevision: revision }) };
}

/** Members per saved segment, for the run history of a refresh. */
export async function segmentMemberCounts(): Promise<Record<string, number>> {
  const { segments } = await readSegments();
  const counts: Record<string, number> = {};
  for (const s of segments) counts[s.id] = await SegmentMember.countDocuments({ segmentId: s.id });
  return counts;
}

/** People who exist (not merged away): the total a saved segment's evaluation shows while its fan-out still asks. */
export async function countLivePeople(): Promise<number> {
  return Person.countDocuments({ mergedInto: op({ $exists: false }) });
}
