import { DateTime, IANAZone } from 'luxon';
import { parseDuration } from '../duration';
import type { Cadence } from './definition';

/** The zone casts are timed in: the person's `attributes.timeZone` wins over the stream's; UTC when neither is a zone. */
export function castZone(cadence: Pick<Cadence, 'timeZone'>, personZone?: unknown): string {
  if (typeof personZone === 'string' && IANAZone.isValidZone(personZone)) return personZone;
  return cadence.timeZone && IANAZone.isValidZone(cadence.timeZone) ? cadence.timeZone : 'UTC';
}

/**
 * The first moment at or after `candidate` that the cadence allows, strictly
 * after `last`: on one of its days (at the start of the day when the candidate's
 * day is not one), and at its time of day when it names one. With a time of
 * day, `every` counts in days: a cast a little late (deferred) does not push
 * the next one past its day.
 */
function allowed(candidate: number, last: number, cadence: Cadence, zone: string): number {
  let local = DateTime.fromMillis(candidate, { zone });
  const [hour, minute] = cadence.at ? cadence.at.split(':').map(Number) : [0, 0];
  for (let day = 0; day < 9; day++) {
    if (!cadence.days || cadence.days.includes(local.weekday)) {
      if (!cadence.at) return local.toMillis();
      const slot = local.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
      if (slot > last) return slot;
    }
    local = local.plus({ days: 1 }).startOf('day');
  }
  return candidate; // unreachable with days 1-7: every week has one of them
}

/** When someone enrolled at `from` gets their first cast: at once, unless the cadence's days or time of day say later. */
export function firstCastAt(from: number, cadence: Cadence, personZone?: unknown): number {
  return allowed(from, from - 1, cadence, castZone(cadence, personZone));
}

/** When the cast after one at `after` is due: `every` later, moved to the cadence's next day and time of day. */
export function nextCastAt(after: number, cadence: Cadence, personZone?: unknown): number {
  return allowed(after + parseDuration(cadence.every)!, after, cadence, castZone(cadence, personZone));
}
