import { activityIncrements } from '../domain/activity-counters';
import { mergeFields } from '../domain/merge';
import { mergeRecentEvents } from '../domain/scoring/recent-events';
import { Identity } from '../models/identity';
import { Interaction } from '../models/interaction';
import { Merge } from '../models/merge';
import { Person } from '../models/person';
import { newId } from './ids';
import { changingBindings } from './identity-cache';

const FOREVER_MS = 100 * 365 * 86_400_000;

/**
 * Merges people into a survivor without losing anything: identifiers and
 * interactions are re-pointed, counters summed, recent behaviour joined,
 * empty fields filled, and the merged records kept with `mergedInto`.
 * Returns the accounts whose scores the merge touched.
 */
export async function mergePeople(survivorId: string, loserIds: string[], reason: string, identifiers: string[]): Promise<string[]> {
  const survivor = await Person.findOne({ _id: survivorId }).lean();
  if (!survivor) throw new Error(`survivor ${survivorId} not found`);
  const touched = new Set<string>(survivor.accountKey ? [survivor.accountKey] : []);
  for (const loserId of loserIds) {
    const loser = await Person.findOne({ _id: loserId }).lean();
    if (!loser || loser.mergedInto) continue;
    if (loser.accountKey) touched.add(loser.accountKey);
    const now = new Date();
    await Merge.create({ _id: newId('m'), from: loserId, into: survivorId, reason, identifiers, at: now });
    const current = (await Person.findOne({ _id: survivorId }).lean())!;
    const filled = mergeFields(current as Record<string, unknown>, loser as Record<string, unknown>);
    const accountKey = (filled.accountKey as string | undefined) ?? current.accountKey ?? undefined;
    await changingBindings(() => Identity.updateMany({ personId: loserId }, { $set: { personId: survivorId, ...(accountKey ? { accountKey } : {}) } }));
    await Interaction.updateMany({ personId: loserId }, { $set: { personId: survivorId } });
    const inc = activityIncrements({ total: loser.activity?.total ?? 0, byType: loser.activity?.byType ?? {} });
    await Person.updateOne(
      { _id: survivorId },
      {
        $set: {
          ...filled,
          attributes: { ...(loser.attributes ?? {}), ...(current.attributes ?? {}) },
          recentEvents: mergeRecentEvents(current.recentEvents ?? [], loser.recentEvents ?? [], Date.now(), FOREVER_MS),
        },
        $inc: inc,
        ...(loser.lastActivityAt ? { $max: { lastActivityAt: loser.lastActivityAt } } : {}),
      },
    );
    await Person.updateOne({ _id: loserId }, { $set: { mergedInto: survivorId, mergedAt: now } });
  }
  return [...touched];
}
