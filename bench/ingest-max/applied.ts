// Accepted → applied: the accounts' activity counters (read together, one
// statement a second) until they show every accepted event, or until they
// stop growing (the engine is stuck, not slow). Each account's count is then
// checked against what was accepted for it: more would be an event counted twice.
import { waitForProgress } from '../scenario';
import { ratePerSecond } from '../stats';
import type { Posted } from './clients';
import { counters } from './seed';

const POLL_MS = 1000;
/** No progress for this long: stuck. */
const STALL_MS = 120000;
/** A timeline point at most this often. */
const TIMELINE_MS = 5000;

export async function untilApplied(tag: string, before: Map<string, number>, posted: Posted[], loadStart: number, log: (line: string) => void) {
  const expected = new Map<string, number>();
  let partial = 0;
  for (const b of posted) {
    // A batch accepted in part: which of its events went in is not said, so only the total can be checked.
    if (b.accepted !== b.events.length) {
      partial += b.accepted;
      continue;
    }
    for (const e of b.events) expected.set(e.accountKey, (expected.get(e.accountKey) ?? 0) + 1);
  }
  const accepted = posted.reduce((n, b) => n + b.accepted, 0);
  let last = new Map<string, number>();
  const timeline: { afterMs: number; applied: number }[] = [];
  let lastPoint = 0;
  const appliedNow = async () => {
    last = await counters(tag);
    let n = 0;
    for (const [key, total] of last) n += total - (before.get(key) ?? 0);
    const now = Date.now();
    if (now - lastPoint >= TIMELINE_MS) {
      lastPoint = now;
      timeline.push({ afterMs: now - loadStart, applied: n });
      log(`ingest-max: ${n}/${accepted} applied after ${((now - loadStart) / 1000).toFixed(0)} s`);
    }
    return n;
  };
  const settled = await waitForProgress(appliedNow, (n) => n >= accepted, { stallMs: STALL_MS, maxMs: 900000 + accepted * 20, everyMs: POLL_MS });
  const appliedMs = Date.now() - loadStart;
  timeline.push({ afterMs: appliedMs, applied: settled.value });
  let over = 0;
  let under = 0;
  for (const [key, n] of expected) {
    const got = (last.get(key) ?? 0) - (before.get(key) ?? 0);
    if (got > n) over++;
    else if (got < n) under++;
  }
  return {
    done: settled.done,
    figures: {
      eventsApplied: settled.value,
      allApplied: settled.done,
      /** First POST → the counters showed every accepted event (read every POLL_MS). */
      appliedMs: settled.done ? appliedMs : null,
      pollMs: POLL_MS,
      acceptedAndAppliedPerSecond: settled.done ? ratePerSecond(accepted, appliedMs) : null,
      /** Accounts whose counter shows more than was accepted for them (an event counted twice), or fewer. */
      accountsOverCounted: over,
      accountsUnderCounted: under,
      eventsOfPartlyAcceptedBatches: partial,
      timeline,
    },
  };
}
