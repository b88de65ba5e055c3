import { includedOnly, leadFingerprint } from './fingerprint';

const ALL = ['interests', 'tags', 'score'] as const;
const lead = { score: { total: 40, status: 'nurture' }, summary: { interests: { pricing: 3, security: 1 } }, attributes: { tags: ['webinar'] } };

describe('what makes a lead worth transferring again', () => {
  test('the same lead gives the same fingerprint; interests in another order are the same interests', () => {
    const reordered = { ...lead, summary: { interests: { security: 5, pricing: 1 } } };
    expect(leadFingerprint(reordered, ALL)).toBe(leadFingerprint(lead, ALL));
  });

  test('a changed score, status, interest or tag changes it', () => {
    const base = leadFingerprint(lead, ALL);
    expect(leadFingerprint({ ...lead, score: { total: 41, status: 'nurture' } }, ALL)).not.toBe(base);
    expect(leadFingerprint({ ...lead, score: { total: 40, status: 'qualified' } }, ALL)).not.toBe(base);
    expect(leadFingerprint({ ...lead, summary: { interests: { pricing: 3, security: 1, api: 1 } } }, ALL)).not.toBe(base);
    expect(leadFingerprint({ ...lead, attributes: { tags: [] } }, ALL)).not.toBe(base);
  });

  test('what the transfer does not include does not count: a score change alone is nothing new to a transfer without scores', () => {
    expect(leadFingerprint({ ...lead, score: { total: 90, status: 'nurture' } }, ['interests'])).toBe(leadFingerprint(lead, ['interests']));
    expect(leadFingerprint({ ...lead, score: { total: 90, status: 'qualified' } }, ['interests'])).not.toBe(leadFingerprint(lead, ['interests']));
  });

  test('the record sent leaves out what is not included, never the status', () => {
    const record = { messageId: 'm', email: 'a@b.example', score: 40, status: 'nurture', summary: '40', interests: ['pricing'], tags: ['webinar'] };
    expect(includedOnly(record, ['tags'])).toEqual({ messageId: 'm', email: 'a@b.example', status: 'nurture', tags: ['webinar'] });
    expect(includedOnly(record, ALL)).toEqual(record);
  });
});
