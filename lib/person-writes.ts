import { noteAudienceChange } from './audience-feed';
import { Person } from '../models/person';

/**
 * One person's update on the apply path, through the driver rather than the
 * model: an entity's batch writes each of its people, and Mongoose's casting,
 * cloning and hooks were a fifth of the worker's CPU in a re-score. The update
 * is built by our code with the stored types already (numbers, dates, plain
 * objects), so it does what the model's hooks would: sets `updatedAt`, and
 * notes a changed person for segment previews (models/audience-notes.ts).
 * Resolves to whether the filter matched.
 */
export async function updatePerson(filter: Record<string, unknown> & { _id: string }, update: { $set?: Record<string, unknown> } & Record<string, unknown>): Promise<boolean> {
  const withTimestamp = { ...update, $set: { ...update.$set, updatedAt: new Date() } };
  // Undefined fields stay absent, as the model leaves them.
  const result = await Person.collection.updateOne(filter as never, withTimestamp, { ignoreUndefined: true });
  if (result.modifiedCount > 0) await noteAudienceChange('people', [filter._id]);
  return result.matchedCount > 0;
}
