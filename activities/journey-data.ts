import { JourneyInstance } from '../models/journey';
import type { InstanceStatus, JourneyStep } from '../workflows/journey-messages';

export { accountMatches, evaluateSplit } from '../lib/account-tests';

/** Steps kept per instance in the projection. */
const HISTORY_KEPT = 100;

/** Keeps the instance projection current; only its own workflow writes it. */
export async function recordJourneyStep(input: { workflowId: string; journeyId: string; version: number; accountKey: string; nodeId: string; status: InstanceStatus; step?: JourneyStep }): Promise<void> {
  const current = await JourneyInstance.findOne({ _id: input.workflowId }, { history: 1 }).lean();
  const before: JourneyStep[] = current?.history ?? [];
  const last = before[before.length - 1];
  // A retried call finds its step already there.
  const again = input.step && last && last.nodeId === input.step.nodeId && last.at === input.step.at;
  const history = input.step && !again ? [...before, input.step].slice(-HISTORY_KEPT) : before;
  await JourneyInstance.updateOne(
    { _id: input.workflowId },
    { $set: { journeyId: input.journeyId, accountKey: input.accountKey, version: input.version, nodeId: input.nodeId, status: input.status, history, updatedAt: new Date() } },
    { upsert: true },
  );
}
