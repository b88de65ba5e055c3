import { DateTime } from 'luxon';

/** Per-person limits on marketing email (api: PUT /v1/settings/email); operational email is exempt. */
export interface EmailLimits {
  maxPerDay?: number;
  maxPerWeek?: number;
  /** ISO weekdays (1 Monday … 7 Sunday) and local times "HH:MM", in the person's zone. */
  sendWindow?: { days: number[]; from: string; to: string };
  timeZone?: string;
}

const DAY = 86_400_000;

/** The earliest moment at or after `since` when `count` sends within `windowMs` before it leave room for one more. */
function capFreeAt(sentAt: readonly number[], max: number | undefined, windowMs: number, since: number): number {
  if (max === undefined) return since;
  const recent = sentAt.filter((t) => t > since - windowMs).sort((a, b) => a - b);
  if (recent.length < max) return since;
  // The oldest sends must age out until only max - 1 remain in the window.
  return recent[recent.length - max] + windowMs;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The first moment at or after `t` inside the send window, in the zone. */
function windowOpenAt(t: number, window: NonNullable<EmailLimits['sendWindow']>, zone: string): number {
  let local = DateTime.fromMillis(t, { zone });
  const from = minutes(window.from);
  const to = minutes(window.to);
  for (let day = 0; day < 8; day++) {
    const open = window.days.includes(local.weekday);
    const at = local.hour * 60 + local.minute;
    if (open && at >= from && at < to) return local.toMillis();
    if (open && at < from) return local.set({ hour: Math.floor(from / 60), minute: from % 60, second: 0, millisecond: 0 }).toMillis();
    local = local.plus({ days: 1 }).set({ hour: 0, minute: 0, second: 0, millisecond: 0 });
  }
  return t; // no open day at all: the window does not hold the message back
}

/**
 * When a marketing email to this person may go out, given the times of the
 * marketing emails already sent to them: now, or the next moment that both
 * caps (rolling 24 hours and 7 days) and the send window allow. Never "never":
 * a message held back is deferred to that moment, not dropped.
 */
export function nextSendTime(now: number, sentAt: readonly number[], limits: EmailLimits, personZone?: string): { at: number; reason?: string } {
  const zone = personZone && DateTime.local().setZone(personZone).isValid ? personZone : (limits.timeZone ?? 'UTC');
  let at = now;
  let reason: string | undefined;
  for (let round = 0; round < 4; round++) {
    const capped = Math.max(capFreeAt(sentAt, limits.maxPerDay, DAY, at), capFreeAt(sentAt, limits.maxPerWeek, 7 * DAY, at));
    if (capped > at) reason ??= capFreeAt(sentAt, limits.maxPerDay, DAY, at) > at ? `over ${limits.maxPerDay} per day` : `over ${limits.maxPerWeek} per week`;
    const open = limits.sendWindow ? windowOpenAt(capped, limits.sendWindow, zone) : capped;
    if (open > capped) reason ??= `outside the send window (${zone})`;
    if (open === at) break;
    at = open;
  }
  return { at, reason };
}
