import { AccountDefinition, PersonDefinition, SegmentLevel } from '../domain/segments/definition';
import type { SegmentRule } from '../domain/segments/membership';
import { Segment } from '../models/segment';
import { newId } from './ids';
import { withNextRevision } from './revisions';
import { versionedCache } from './versioned-cache';

export type SavedSegment = SegmentRule & { name: string; revision: number };

export interface SegmentSet {
  /** Grows with every save and delete. */
  revision: number;
  segments: SavedSegment[];
}

/** The saved segments (a small collection: read whole). */
export async function readSegments(): Promise<SegmentSet> {
  const docs = await Segment.find({}).lean();
  return {
    revision: Math.max(0, ...docs.map((d) => d.revision)),
    segments: docs.filter((d) => !d.deletedAt).map((d) => ({ id: d._id, name: d.name, level: d.level, definition: d.definition, revision: d.revision }) as SavedSegment),
  };
}

/** The saved segments as entity batches see them, read at most once a second per process. */
export const savedSegments = versionedCache(readSegments, (s) => s.revision);

const latestRevision = async () => (await Segment.findOne({}, { revision: 1 }).sort({ revision: -1 }).lean())?.revision ?? 0;

export const newSegmentId = () => newId('seg');

export async function saveSegment({ id, ...input }: { id: string; name: string; level: SegmentLevel; definition: PersonDefinition | AccountDefinition }): Promise<{ id: string; revision: number }> {
  const revision = await withNextRevision(latestRevision, (revision) => Segment.create({ _id: id, ...input, revision, createdAt: new Date() }));
  return { id, revision };
}

/** Deleting keeps the record (its changes stay readable) and makes a new revision, so members are re-evaluated. */
export async function deleteSegment(id: string): Promise<number | undefined> {
  const found = await Segment.findOne({ _id: id }, { deletedAt: 1 }).lean();
  if (!found || found.deletedAt) return undefined;
  return withNextRevision(latestRevision, (revision) => Segment.updateOne({ _id: id }, { $set: { deletedAt: new Date(), revision } }));
}
