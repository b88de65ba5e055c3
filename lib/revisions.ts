import { isDuplicateKey } from './mongo-errors';

/**
 * Gives a write the next revision of a collection whose documents carry a
 * unique `revision`: two concurrent writes collide on it and one retries.
 */
export async function withNextRevision(latest: () => Promise<number>, write: (revision: number) => Promise<unknown>): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const revision = (await latest()) + 1;
    try {
      await write(revision);
      return revision;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  throw new Error('too many concurrent changes; try again');
}
