/**
 * Splits records into requests of at most `size`, never two records with the
 * same key in one request (CRMs refuse a batch that names one id twice); a
 * repeated key goes to a later request than its previous one, so the last
 * change is applied last.
 */
export function batchesByKey<T>(records: readonly T[], size: number, key: (record: T) => string): T[][] {
  const batches: T[][] = [];
  const lastBatchOf = new Map<string, number>();
  for (const record of records) {
    const k = key(record);
    let index = (lastBatchOf.get(k) ?? -1) + 1;
    while (index < batches.length && batches[index].length >= size) index++;
    if (index === batches.length) batches.push([]);
    batches[index].push(record);
    lastBatchOf.set(k, index);
  }
  return batches;
}
