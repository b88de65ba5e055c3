import { counterKey } from './activity-counters';
import { eventIs, eventNameProblem, meaningOf } from './events';

describe('open event names', () => {
  test('a custom name mapped to a built-in type counts as that type and as itself', () => {
    const demo = { type: 'Demo Requested', means: 'meeting_booked' as const };
    expect(eventIs(demo, 'meeting_booked')).toBe(true);
    expect(eventIs(demo, 'Demo Requested')).toBe(true);
    expect(eventIs(demo, 'purchase')).toBe(false);
    expect(meaningOf(demo)).toBe('meeting_booked');
    expect(meaningOf({ type: 'web_visit' })).toBe('web_visit');
  });
  test('a name is 1 to 100 characters of text', () => {
    expect(eventNameProblem('Whitepaper Downloaded')).toBeUndefined();
    expect(eventNameProblem('  ')).toMatch(/blank/);
    expect(eventNameProblem('x'.repeat(101))).toMatch(/100/);
    expect(eventNameProblem('a\nb')).toMatch(/control/);
  });
  test("a name's activity counter key holds no '.' and no leading '$'", () => {
    expect(counterKey('v2.0 Downloaded')).toBe('v2\uFF0E0 Downloaded');
    expect(counterKey('$pageview')).toBe('\uFF04pageview');
    expect(counterKey('email_open')).toBe('email_open');
  });
});
