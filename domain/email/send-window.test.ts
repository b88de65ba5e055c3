import { nextSendTime } from './send-window';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('when a marketing email may go out', () => {
  test('with no limits, at once', () => {
    expect(nextSendTime(at('2026-11-26T10:00:00Z'), [], {})).toEqual({ at: at('2026-11-26T10:00:00Z'), reason: undefined });
  });

  test('a person who had their one email of the day gets the next one a day after it', () => {
    const sent = [at('2026-11-26T08:00:00Z')];
    expect(nextSendTime(at('2026-11-26T10:00:00Z'), sent, { maxPerDay: 1 })).toEqual({ at: at('2026-11-27T08:00:00Z'), reason: 'over 1 per day' });
  });

  test('a weekly cap holds back until the oldest email of the week ages out', () => {
    const sent = [at('2026-11-20T09:00:00Z'), at('2026-11-22T09:00:00Z'), at('2026-11-25T09:00:00Z')];
    const next = nextSendTime(at('2026-11-26T10:00:00Z'), sent, { maxPerDay: 5, maxPerWeek: 3 });
    expect(next).toEqual({ at: at('2026-11-27T09:00:00Z'), reason: 'over 3 per week' });
  });

  test('outside the send window, the message waits for the window to open in the person\'s time zone', () => {
    const limits = { sendWindow: { days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }, timeZone: 'Europe/Amsterdam' };
    // Thursday 20:00 in Amsterdam (19:00 UTC) → Friday 09:00 Amsterdam (08:00 UTC).
    expect(nextSendTime(at('2026-11-26T19:00:00Z'), [], limits).at).toBe(at('2026-11-27T08:00:00Z'));
    // Friday 18:00 in Shanghai → Monday 09:00 Shanghai (01:00 UTC): the person's zone wins over the setting's.
    expect(nextSendTime(at('2026-11-27T10:00:00Z'), [], limits, 'Asia/Shanghai').at).toBe(at('2026-11-30T01:00:00Z'));
    // Inside the window: at once.
    expect(nextSendTime(at('2026-11-26T10:00:00Z'), [], limits).at).toBe(at('2026-11-26T10:00:00Z'));
  });

  test('a cap that ends at night moves on to the next morning\'s window', () => {
    const limits = { maxPerDay: 1, sendWindow: { days: [1, 2, 3, 4, 5, 6, 7], from: '09:00', to: '17:00' }, timeZone: 'UTC' };
    const sent = [at('2026-11-25T16:30:00Z')];
    // The cap frees at 16:30 on the 26th, inside the window.
    expect(nextSendTime(at('2026-11-26T10:00:00Z'), sent, limits).at).toBe(at('2026-11-26T16:30:00Z'));
    const late = [at('2026-11-25T16:59:00Z'), at('2026-11-26T16:59:00Z')];
    expect(nextSendTime(at('2026-11-26T17:00:00Z'), late, { ...limits, maxPerDay: 1 }).at).toBe(at('2026-11-27T16:59:00Z'));
    expect(nextSendTime(at('2026-11-26T17:00:00Z') + 12 * HOUR, [at('2026-11-26T16:00:00Z')], limits).at).toBe(at('2026-11-27T16:00:00Z'));
  });
});
