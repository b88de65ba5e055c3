/**
 * How many people were moved onto a model version or a segment revision,
 * counted by the writes that move them: a re-score's or a segment
 * evaluation's progress is then one read, where counting the people who carry
 * the value is a scan of everyone on the embedded database (it decodes each
 * match). A count can fall short (a worker stopped between a person's write
 * and the count's) or run over (a person erased after being counted), so it
 * only says when to take the exact count.
 */
export type CountedField = 'scoreModelVersion' | 'segmentsRevision';

export const countKey = (field: CountedField, value: number) => `${field}:${value}`;

/** The counts a person's write moves them onto: each counted field the write sets to a value the person did not carry. */
export function movesOf(before: Readonly<Record<string, unknown>>, written: Readonly<Record<string, unknown>>): string[] {
  return (['scoreModelVersion', 'segmentsRevision'] as const)
    .filter((f) => typeof written[f] === 'number' && written[f] !== before[f])
    .map((f) => countKey(f, written[f] as number));
}

/** Moves of many writes, summed per count. */
export function tally(moves: readonly (readonly string[])[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const keys of moves) for (const k of keys) sums.set(k, (sums.get(k) ?? 0) + 1);
  return sums;
}
