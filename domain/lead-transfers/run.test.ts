import { leadOutcome, pollDelayMs, tallyOf } from './run';

describe('a lead transfer run', () => {
  test('a lead the CRM took is transferred; one it refused, or one without an address, failed with the reason', () => {
    expect(leadOutcome({ status: 'sent' })).toEqual({ outcome: 'transferred' });
    expect(leadOutcome({ status: 'dead', reason: 'Property values were not valid' })).toEqual({ outcome: 'failed', error: 'Property values were not valid' });
    expect(leadOutcome({ status: 'suppressed', reason: 'the person has no email address' })).toEqual({ outcome: 'failed', error: 'the person has no email address' });
  });

  test('a lead whose record waits for a retry is still pending', () => {
    expect(leadOutcome({ status: 'failed', reason: 'HTTP 503' })).toEqual({ outcome: 'pending' });
    expect(leadOutcome({ status: 'pending' })).toEqual({ outcome: 'pending' });
    expect(leadOutcome(undefined)).toEqual({ outcome: 'pending' });
  });

  test('counts add up the outcomes and the skipped leads', () => {
    expect(tallyOf(['transferred', 'transferred', 'failed', 'pending'], 5)).toEqual({ transferred: 2, failed: 1, pending: 1, skipped: 5 });
  });

  test('polls start at a second and never wait more than 30', () => {
    expect(pollDelayMs(0)).toBe(1000);
    expect(pollDelayMs(3)).toBe(8000);
    expect(pollDelayMs(40)).toBe(30_000);
  });
});
