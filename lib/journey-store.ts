import type { JourneyDefinition } from '../domain/journeys/definition';
import { Journey, JourneyVersion } from '../models/journey';
import { newId } from './ids';
import { isDuplicateKey } from './mongo-errors';

export async function createJourney(definition: JourneyDefinition): Promise<string> {
  const id = newId('jny');
  const now = new Date();
  await Journey.create({ _id: id, name: definition.name, draft: definition, latestVersion: 0, state: 'active', createdAt: now, updatedAt: now });
  return id;
}

/** Replaces the draft; published versions and the instances running them are untouched. */
export async function saveDraft(id: string, definition: JourneyDefinition): Promise<boolean> {
  const res = await Journey.updateOne({ _id: id }, { $set: { name: definition.name, draft: definition, updatedAt: new Date() } });
  return res.matchedCount > 0;
}

/**
 * Publishes the draft as the next version (immutable: `_id` `<id>:v<n>`, so two
 * concurrent publishes cannot both take n). Undefined when there is no draft.
 */
export async function publishDraft(id: string): Promise<number | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const j = await Journey.findOne({ _id: id }).lean();
    if (!j?.draft) return undefined;
    const version = j.latestVersion + 1;
    try {
      await JourneyVersion.create({ _id: `${id}:v${version}`, journeyId: id, version, definition: j.draft, publishedAt: new Date() });
    } catch (err) {
      if (isDuplicateKey(err)) continue;
      throw err;
    }
    await Journey.updateOne({ _id: id }, { $set: { latestVersion: version, updatedAt: new Date() }, $unset: { draft: 1 } });
    return version;
  }
  throw new Error('could not publish: too many concurrent publishes');
}

export async function versionOf(id: string, version: number): Promise<JourneyDefinition | undefined> {
  return ((await JourneyVersion.findOne({ _id: `${id}:v${version}` }).lean())?.definition ?? undefined) as JourneyDefinition | undefined;
}
