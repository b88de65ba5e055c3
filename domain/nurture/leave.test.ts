import { leaveReason } from './leave';

const person = (extra: Record<string, unknown> = {}) => ({ context: { person: { personId: 'p_1', status: 'nurture', ...extra } } });

test('a qualified person, one handed to sales, one who said no to marketing email or to the topic, or who meets the exit rule leaves', () => {
  expect(leaveReason({ ...person(), status: 'qualified' })).toBe('qualified');
  expect(leaveReason({ ...person(), transferred: true })).toBe('transferred to sales');
  expect(leaveReason({ ...person(), consent: { email: false } })).toBe('unsubscribed');
  expect(leaveReason({ ...person(), consent: { topics: { erp: false } }, topic: 'erp' })).toBe('unsubscribed from erp');
  expect(leaveReason({ ...person(), consent: { topics: { erp: false } }, topic: 'crm' })).toBeUndefined();
  expect(leaveReason(person({ jobTitle: 'CFO' }), { field: 'person.jobTitle', op: 'eq', value: 'cfo' })).toBe('exit rule met');
  expect(leaveReason(person({ jobTitle: 'CTO' }), { field: 'person.jobTitle', op: 'eq', value: 'cfo' })).toBeUndefined();
});

test('a person out of the entry segment leaves only on a stream that lets such people go', () => {
  expect(leaveReason({ ...person(), leftSegment: true })).toBe('left segment');
  expect(leaveReason({ ...person(), leftSegment: false })).toBeUndefined();
});
