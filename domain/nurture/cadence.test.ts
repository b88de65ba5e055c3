import { firstCastAt, nextCastAt } from './cadence';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

test('every alone: the first cast at once, each next one `every` after the last', () => {
  expect(firstCastAt(t('2026-11-26T10:00:00Z'), { every: 'PT1S' })).toBe(t('2026-11-26T10:00:00Z'));
  expect(iso(nextCastAt(t('2026-11-26T10:00:00Z'), { every: 'P3D' }))).toBe('2026-11-29T10:00:00.000Z');
});

test('weekdays skip the days that are not named (Thursday 26 Nov 2026 + 2 days is Saturday: Monday instead)', () => {
  expect(iso(nextCastAt(t('2026-11-26T10:00:00Z'), { every: 'P2D', days: [1, 2, 3, 4, 5] }))).toBe('2026-11-30T00:00:00.000Z');
  expect(iso(firstCastAt(t('2026-11-28T10:00:00Z'), { every: 'P1D', days: [1] }))).toBe('2026-11-30T00:00:00.000Z');
});

test('a time of day in the stream zone: today if still ahead, else the next allowed day; a late cast keeps the next on its day', () => {
  const weekly = { every: 'P1D', at: '09:00', timeZone: 'Europe/Berlin' };
  expect(iso(firstCastAt(t('2026-11-26T07:00:00Z'), weekly))).toBe('2026-11-26T08:00:00.000Z');
  expect(iso(firstCastAt(t('2026-11-26T09:00:00Z'), weekly))).toBe('2026-11-27T08:00:00.000Z');
  // Deferred to 15:00 by a cap: the next cast is still the next morning at nine.
  expect(iso(nextCastAt(t('2026-11-26T14:00:00Z'), weekly))).toBe('2026-11-27T08:00:00.000Z');
  // Hourly with a time of day means once a day at that time.
  expect(iso(nextCastAt(t('2026-11-26T08:00:00Z'), { ...weekly, every: 'PT1H' }))).toBe('2026-11-27T08:00:00.000Z');
});

test("the person's time zone wins over the stream's; an invalid one is ignored", () => {
  const cadence = { every: 'P1D', at: '09:00', timeZone: 'Europe/Berlin' };
  expect(iso(firstCastAt(t('2026-11-26T00:00:00Z'), cadence, 'America/New_York'))).toBe('2026-11-26T14:00:00.000Z');
  expect(iso(firstCastAt(t('2026-11-26T00:00:00Z'), cadence, 'Not/AZone'))).toBe('2026-11-26T08:00:00.000Z');
});

test('summer time: nine o\'clock stays nine o\'clock across the change', () => {
  const cadence = { every: 'P1D', at: '09:00', timeZone: 'Europe/Berlin' };
  expect(iso(nextCastAt(t('2026-10-24T07:00:00Z'), cadence))).toBe('2026-10-25T08:00:00.000Z');
});
