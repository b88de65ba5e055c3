// The open-journey counts at which the worker's memory is read: 1,000, 10,000
// and 50,000 up to BENCH_PEOPLE, which is always the last; or the counts
// BENCH_MEMORY_CHECKPOINTS lists (e.g. `1000,10000` stops at 10,000 whatever
// BENCH_PEOPLE is, which still names the result file).
const DEFAULT = [1000, 10000, 50000];

export function checkpoints(people: number): number[] {
  const raw = process.env.BENCH_MEMORY_CHECKPOINTS;
  if (!raw) return [...DEFAULT.filter((c) => c < people), people];
  const listed = raw.split(',').map((v) => Number(v.trim()));
  const ascending = listed.every((c, i) => Number.isInteger(c) && c > 0 && (i === 0 || c > listed[i - 1]));
  if (!ascending) throw new Error(`BENCH_MEMORY_CHECKPOINTS must be ascending positive integers, got '${raw}'`);
  return listed;
}
