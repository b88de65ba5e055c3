import { JourneyInstance } from '../models/journey';
import { isDuplicateKey } from '../lib/mongo-errors';
import { op } from '../lib/query';
import type { InstanceStatus, JourneyStep, StepPlace } from '../workflows/journey-messages';

export { accountMatches, evaluateSplit } from '../lib/account-tests';

/** Steps kept per instance in the projection; it may hold up to TRIM_AFTER more before it is cut back. */
const HISTORY_KEPT = 100;
const TRIM_AFTER = 50;

export interface RecordStepInput {
  workflowId: string;
  journeyId: string;
  version: number;
  accountKey: string;
  nodeId: string;
  status: InstanceStatus;
  step?: JourneyStep;
  /**
   * Where the step stands in its run: the same when a workflow task that
   * recorded it locally is retried (whose clock then reads later). Absent from
   * calls scheduled before it existed, which name the step by its node and
   * time and are compared with the last step only.
   */
  place?: StepPlace;
}

/**
 * Keeps the instance projection current; only its own workflow writes it, one
 * call at a time. A step is appended in the same statement that sets the
 * position, and only if it comes after the last one recorded: a repeated call
 * finds its step already there (the filter then misses, and the upsert meets
 * the existing `_id`).
 */
export async function recordJourneyStep(input: RecordStepInput): Promise<void> {
  const position = { journeyId: input.journeyId, accountKey: input.accountKey, version: input.version, nodeId: input.nodeId, status: input.status, updatedAt: new Date() };
  if (!input.step) {
    await JourneyInstance.updateOne({ _id: input.workflowId }, { $set: position }, { upsert: true });
    return;
  }
  // An older call: its step's node and time stand for a run of one step.
  const place = input.place ?? { runId: `${input.step.nodeId}@${input.step.at}`, n: 1 };
  let after;
  try {
    after = await JourneyInstance.findOneAndUpdate(
      { _id: input.workflowId, $or: [{ stepRun: op({ $ne: place.runId }) }, { stepNo: op({ $lt: place.n }) }] },
      { $set: { ...position, stepRun: place.runId, stepNo: place.n }, $push: { history: input.step } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
  } catch (err) {
    if (isDuplicateKey(err)) return;
    throw err;
  }
  // Cut back now and then rather than on every step: `$slice` is not applied by the embedded database.
  const history = after?.history ?? [];
  if (history.length > HISTORY_KEPT + TRIM_AFTER) {
    await JourneyInstance.updateOne({ _id: input.workflowId, stepRun: place.runId, stepNo: place.n }, { $set: { history: history.slice(-HISTORY_KEPT) } });
  }
}
