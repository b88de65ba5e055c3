import type { ScoringModel } from '../domain/scoring/model';
import { ScoringModelVersion } from '../models/scoring-model';
import { op } from './query';
import { versionedCache } from './versioned-cache';

export interface ActiveModel {
  version: number;
  model: ScoringModel;
}

/** Before any model is saved everyone scores 0 and stays in nurture. */
export const EMPTY_MODEL: ActiveModel = { version: 0, model: { fit: [], behavior: [], qualifyAt: 100000 } };

export async function activeModel(): Promise<ActiveModel> {
  const doc = await ScoringModelVersion.findOne({ active: true }).sort({ _id: -1 }).lean();
  return doc ? { version: doc._id, model: doc.model as ScoringModel } : EMPTY_MODEL;
}

/** The active model for scoring, read at most once a second per process (lib/versioned-cache). */
export const scoringModel = versionedCache(activeModel, (m) => m.version);

/**
 * Saves a new version and makes it the active one. Versions are numbered by
 * insertion (a concurrent save loses on the unique `_id` and is retried).
 */
export async function saveModel(model: ScoringModel, warnings: string[]): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const latest = await ScoringModelVersion.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean();
    const version = (latest?._id ?? 0) + 1;
    try {
      await ScoringModelVersion.create({ _id: version, model, warnings, active: false, createdAt: new Date() });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) continue;
      throw err;
    }
    // Activate first, then retire the others: readers take the newest active one, so there is never none.
    await ScoringModelVersion.updateOne({ _id: version }, { $set: { active: true } });
    await ScoringModelVersion.updateMany({ active: true, _id: op({ $ne: version }) }, { $set: { active: false } });
    return version;
  }
  throw new Error('could not save the scoring model: too many concurrent saves');
}
