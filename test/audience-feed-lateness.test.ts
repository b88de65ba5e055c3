import { fileInTime, LATE_MS } from '../lib/audience-feed';

/** An insert that takes the given times in turn, on a clock of its own, recording the time each note is filed under. */
function slowInserts(takesMs: number[]) {
  let clock = 1_000_000;
  const filedAt: number[] = [];
  const insert = async (at: Date) => {
    filedAt.push(at.getTime());
    clock += takesMs.shift() ?? 0;
  };
  return { insert, now: () => clock, filedAt };
}

test('a note stored in time is filed once', async () => {
  const db = slowInserts([LATE_MS]);
  await fileInTime(db.insert, db.now);
  expect(db.filedAt).toEqual([1_000_000]);
});

test('a note whose insert stalled is filed again under the time it was stored, until a copy lands in time', async () => {
  const db = slowInserts([LATE_MS + 500, LATE_MS + 1, 20]);
  await fileInTime(db.insert, db.now);
  expect(db.filedAt).toEqual([1_000_000, 1_000_000 + LATE_MS + 500, 1_000_000 + 2 * LATE_MS + 501]);
});
