import { occurredAt } from './timestamps';

const received = Date.parse('2026-11-20T10:00:10Z');

describe('when a tracked message happened', () => {
  test("a client clock 10 s fast is corrected by the batch's sentAt", () => {
    expect(occurredAt({ timestamp: '2026-11-20T10:00:15Z' }, '2026-11-20T10:00:20Z', received)).toBe('2026-11-20T10:00:05.000Z');
  });
  test("RudderStack's originalTimestamp and per-message sentAt are used the same way", () => {
    expect(occurredAt({ originalTimestamp: '2026-11-20T09:59:00Z', sentAt: '2026-11-20T09:59:30Z', timestamp: 'ignored' }, undefined, received)).toBe('2026-11-20T09:59:40.000Z');
  });
  test('without sentAt the client time stands; without any time it is the receive time', () => {
    expect(occurredAt({ timestamp: '2026-11-01T08:00:00Z' }, undefined, received)).toBe('2026-11-01T08:00:00.000Z');
    expect(occurredAt({}, undefined, received)).toBe('2026-11-20T10:00:10.000Z');
  });
  test('a time that is no time is refused naming its field', () => {
    expect(() => occurredAt({ timestamp: 'yesterday' }, undefined, received)).toThrow(expect.objectContaining({ path: 'timestamp' }));
  });
});
