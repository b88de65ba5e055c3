import { consentChanges, mayReceive } from './consent';

const newsletter = { key: 'newsletter', requireOptIn: false };
const webinars = { key: 'webinars', requireOptIn: true };
const marketing = { kind: 'marketing' as const };

describe('who may receive a marketing email', () => {
  test('someone who said nothing gets a topic that needs no opt-in, but not one that does', () => {
    expect(mayReceive({}, marketing, newsletter)).toEqual({ allowed: true });
    expect(mayReceive(undefined, marketing, webinars)).toEqual({ allowed: false, reason: 'opt_in_required' });
  });

  test('an explicit yes to an opt-in topic lets it through', () => {
    expect(mayReceive({ topics: { webinars: true } }, marketing, webinars)).toEqual({ allowed: true });
  });

  test('no to one topic stops that topic only', () => {
    const consent = { topics: { newsletter: false, webinars: true } };
    expect(mayReceive(consent, marketing, newsletter)).toEqual({ allowed: false, reason: 'topic_opted_out' });
    expect(mayReceive(consent, marketing, webinars)).toEqual({ allowed: true });
  });

  test('no to all marketing email wins over a yes to a topic', () => {
    expect(mayReceive({ email: false, topics: { webinars: true } }, marketing, webinars)).toEqual({ allowed: false, reason: 'opted_out' });
  });

  test('a topic that does not exist never sends', () => {
    expect(mayReceive({ email: true }, marketing, null)).toEqual({ allowed: false, reason: 'unknown_topic' });
  });

  test('operational email (a receipt, a requested invitation) goes out whatever the marketing consent', () => {
    expect(mayReceive({ email: false, topics: { webinars: false } }, { kind: 'operational' }, webinars)).toEqual({ allowed: true });
  });
});

describe('what a consent change records', () => {
  test('only the values that really change, with what they were', () => {
    const current = { email: true, topics: { newsletter: true } };
    expect(consentChanges(current, { email: true, tracking: false, topics: { newsletter: false, webinars: true } })).toEqual([
      { field: 'tracking', from: null, to: false },
      { field: 'topics.newsletter', from: true, to: false },
      { field: 'topics.webinars', from: null, to: true },
    ]);
  });

  test('asking for what is already so changes nothing', () => {
    expect(consentChanges({ email: false, topics: { newsletter: false } }, { email: false, topics: { newsletter: false } })).toEqual([]);
  });
});
