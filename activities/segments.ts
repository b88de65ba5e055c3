import { peopleMovedOnto } from '../lib/people-counts';
import { op } from '../lib/query';
import { readSegments } from '../lib/segment-store';
import { Person } from '../models/person';
import { SegmentMember } from '../models/segment-membership';

/** The current segment revision and how many people were evaluated against it, exactly (a top-level equality, but a scan of everyone who matches on the embedded database). */
export async function segmentProgress(): Promise<{ revision: number; evaluated: number }> {
  const { revision } = await readSegments();
  return { revision, evaluated: await Person.countDocuments({ segmentsRevision: revision }) };
}

/** The current segment revision and the people counted as evaluated against it by the writes that moved them: one read (it may fall short or run over; segmentProgress is exact). */
export async function segmentEvaluations(): Promise<{ revision: number; evaluated: number }> {
  const { revision } = await readSegments();
  return { revision, evaluated: await countEvaluated({ revision }) };
}

/** People counted as evaluated against this revision by the writes that moved them: one read (see segmentEvaluations). */
export async function countEvaluated(input: { revision: number }): Promise<number> {
  return peopleMovedOnto('segmentsRevision', input.revision);
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
