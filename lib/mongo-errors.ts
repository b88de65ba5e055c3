interface WriteErrorLike {
  code?: number;
  index?: number;
  err?: { code?: number; index?: number };
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number })?.code === 11000;
}

/** Indexes of the documents an unordered insertMany refused as duplicate keys, or undefined if anything else failed. */
function duplicateKeyIndexes(err: unknown, count: number): Set<number> | undefined {
  const writeErrors = (err as { writeErrors?: WriteErrorLike[] })?.writeErrors;
  if (!Array.isArray(writeErrors)) return isDuplicateKey(err) && count === 1 ? new Set([0]) : undefined;
  const all = writeErrors.map((w) => ({ code: w.code ?? w.err?.code, index: w.index ?? w.err?.index }));
  if (all.some((w) => w.code !== 11000 || w.index === undefined)) return undefined;
  return new Set(all.map((w) => w.index as number));
}

/** insertMany that keeps going past duplicates and says, per document, whether it was new. */
export async function insertNew<T>(insert: (docs: T[]) => Promise<unknown>, docs: T[]): Promise<boolean[]> {
  if (docs.length === 0) return [];
  try {
    await insert(docs);
    return docs.map(() => true);
  } catch (err) {
    const dups = duplicateKeyIndexes(err, docs.length);
    if (!dups) throw err;
    return docs.map((_, i) => !dups.has(i));
  }
}
