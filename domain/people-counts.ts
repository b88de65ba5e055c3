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

/**
 * Follows a job's kept count and says when the exact count is due: once the
 * people to wait for are known, when the count has moved by as many as were
 * behind at the last exact count (at first, all of them), or when it has not
 * moved for `patience` polls, doubled after each exact count that finds
 * people still behind.
 */
export class KeptCountFollower {
  private behind: number | undefined;
  private countAtExact = 0;
  private last = -1;
  private stillPolls = 0;

  constructor(private patience: number) {}

  /** People still to go by the kept count, of `total` until an exact count says otherwise. */
  remaining(count: number, total: number): number {
    return (this.behind ?? total) - (count - this.countAtExact);
  }

  /** People done by the kept count, of `total`, never more than all. */
  done(count: number, total: number): number {
    return total - Math.max(0, this.remaining(count, total));
  }

  /** Takes a poll's count; true when the exact count is due (never while `total` is unknown). */
  poll(count: number, total: number | undefined): boolean {
    this.stillPolls = count === this.last ? this.stillPolls + 1 : 0;
    this.last = count;
    return total !== undefined && (this.remaining(count, total) <= 0 || this.stillPolls >= this.patience);
  }

  /** An exact count found `behind` people still to go while the kept count stood at `count`. */
  stillBehind(behind: number, count: number): void {
    this.behind = behind;
    this.countAtExact = count;
    this.stillPolls = 0;
    this.patience *= 2;
  }
}
