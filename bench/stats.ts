/** Figures of a set of samples (milliseconds unless named otherwise). */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array: the value at or below which p% of samples lie. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || NaN);
  return {
    count: sorted.length,
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** Things per second over a span in milliseconds. */
export function ratePerSecond(count: number, ms: number): number {
  return ms > 0 ? round((count * 1000) / ms) : NaN;
}

/** One decimal is all a benchmark on a shared machine can honestly claim. */
export function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 10) / 10 : v;
}

/** At most `n` items spread evenly over the list, in its order (histories are read for a sample, not all). */
export function sampleEvenly<T>(items: readonly T[], n: number): T[] {
  const step = Math.max(1, Math.floor(items.length / n));
  return items.filter((_, i) => i % step === 0).slice(0, n);
}
