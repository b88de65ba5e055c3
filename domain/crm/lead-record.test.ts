import { crmPersonOf, scoreSummary } from './lead-record';

test("a lead sent to the CRM carries the score, its status, why, the interests most frequent first, tags and the buying-group role", () => {
  const person = {
    email: 'pat@acme.example',
    firstName: 'Pat',
    jobTitle: 'VP Engineering',
    attributes: { tags: ['webinar-2026'] },
    score: { total: 42, status: 'qualified', breakdown: [{ points: 7, reason: 'webinar' }, { points: 20, reason: 'pricing page visit' }, { points: 15, reason: 'VP title' }, { points: 2, reason: 'email open' }] },
    summary: { interests: { analytics: 1, security: 3 } },
  };
  expect(crmPersonOf('m1', person, { role: 'champion', companyDomain: 'acme.example' })).toEqual({
    messageId: 'm1',
    email: 'pat@acme.example',
    firstName: 'Pat',
    jobTitle: 'VP Engineering',
    score: 42,
    status: 'qualified',
    summary: '42: pricing page visit (+20), VP title (+15), webinar (+7)',
    interests: ['security', 'analytics'],
    tags: ['webinar-2026'],
    role: 'champion',
    companyDomain: 'acme.example',
  });
});

test('a person without an email address is not sent to a CRM', () => {
  expect(crmPersonOf('m1', { firstName: 'Pat' }, {})).toBeUndefined();
});

test('a negative part of the score shows with its sign', () => {
  expect(scoreSummary({ total: -5, breakdown: [{ points: -10, reason: 'competitor domain' }, { points: 5, reason: 'visit' }] })).toBe('-5: competitor domain (-10), visit (+5)');
});
