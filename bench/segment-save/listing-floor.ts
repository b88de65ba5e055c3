// What listing a new segment's members cannot take less than: the same number
// of membership documents, of the same shape, inserted 1,000 at a time into a
// scratch collection of the same database, then dropped.
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { round } from '../stats';

export async function listingFloor(members: number): Promise<{ documents: number; ms: number }> {
  const scratch = mongoose.connection.db!.collection<{ _id: string; segmentId: string; memberId: string; since: Date }>(`bench_listing_floor_${Date.now()}`);
  const at = new Date();
  const t = performance.now();
  for (let i = 0; i < members; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, members - i) }, (_, j) => ({ _id: `seg_benchfloor:p${i + j}`, segmentId: 'seg_benchfloor', memberId: `p${i + j}`, since: at }));
    await scratch.insertMany(docs, { ordered: false });
  }
  const ms = performance.now() - t;
  await scratch.drop();
  return { documents: members, ms: round(ms) };
}
