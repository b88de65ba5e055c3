// Each instance's own time in the projection, read once after a phase: the
// polled count has a COUNT_POLL_MS resolution, updatedAt has none.
import { JourneyInstance } from '../../models/journey';
import { within } from '../scenario';
import { summarize } from '../stats';
import type { Settled } from './settle';

export async function recorded(journeyId: string, status: 'waiting' | 'stopped', s: Settled) {
  const docs = await within(JourneyInstance.find({ journeyId }, { status: 1, updatedAt: 1 }).lean(), 120000, 'reading the instances');
  const after = docs.filter((d) => d.status === status).map((d) => d.updatedAt.getTime() - s.start);
  return {
    count: after.length,
    /** Start → the last instance recorded so, when the polled count got there. */
    allMs: s.countedMs !== null && after.length ? Math.max(...after) : null,
    afterMs: summarize(after),
    /** Instances already recorded so when the work (requests and jobs, or in-process calls) was done. */
    whenWorkDone: s.workMs >= 0 ? after.filter((ms) => ms <= s.workMs).length : null,
  };
}
