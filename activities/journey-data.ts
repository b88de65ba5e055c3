import { JourneyInstance } from '../models/journey';
import { isDuplicateKey } from '../lib/mongo-errors';
import { op } from '../lib/query';
import type { InstanceStatus, JourneyStep } from '../workflows/journey-messages';

export { accountMatches, evaluateSplit } from '../lib/account-tests';

/** Steps kept per instance in the projection; it may hold up to TRIM_AFTER more before it is cut back. */
const HISTORY_KEPT = 100;
const TRIM_AFTER = 50;

const stepKey = (step: JourneyStep) => `${step.nodeId}@${step.at}`;

/**
 * Keeps the instance projection current; only its own workflow writes it, one
 * call at a time. A step is appended in the same statement that sets the
 * position, and only if it is not the last one recorded: a retried call finds
 * its step already there (the filter then misses, and the upsert meets the
 * existing `_id`).
 */
export async function recordJourneyStep(input: { workflowId: string; journeyId: string; version: number; accountKey: string; nodeId: string; status: InstanceStatus; step?: JourneyStep }): Promise<void> {
  const position = { journeyId: input.journeyId, accountKey: input.accountKey, version: input.version, nodeId: input.nodeId, status: input.status, updatedAt: new Date() };
  if (!input.step) {
    await JourneyInstance.updateOne({ _id: input.workflowId }, { $set: position }, { upsert: true });
    return;
  }
  const key = stepKey(input.step);
  let after;
  try {
    after = await JourneyInstance.findOneAndUpdate(
      { _id: input.workflowId, lastStep: op({ $ne: key }) },
      { $set: { ...position, lastStep: key }, $push: { history: input.step } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
  } catch (err) {
    if (isDuplicateKey(err)) return;
    throw err;
  }
  // Cut back now and then rather than on every step: `$slice` is not applied by the embedded database.
  const history = after?.history ?? [];
  if (history.length > HISTORY_KEPT + TRIM_AFTER) {
    await JourneyInstance.updateOne({ _id: input.workflowId, lastStep: key }, { $set: { history: history.slice(-HISTORY_KEPT) } });
  }
}
