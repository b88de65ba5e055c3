/**
 * ISO 8601 durations (`P3M`, `P6M`, `PT3S`) as milliseconds. Months and years
 * are fixed lengths (30 and 365 days) so windows are the same for everyone and
 * computable without a calendar.
 */
const PATTERN = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const DAY = 86_400_000;

export function parseDuration(text: string): number | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [, y, mo, w, d, h, mi, s] = m.map((v) => (v === undefined ? 0 : Number(v)));
  return y * 365 * DAY + mo * 30 * DAY + w * 7 * DAY + d * DAY + h * 3_600_000 + mi * 60_000 + Math.round(s * 1000);
}

/** "90 days", "3 seconds": for explanations a marketer reads. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}
