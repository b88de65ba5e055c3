import { toOperations } from './operations';

const facts = { receivedAt: Date.parse('2026-11-20T10:00:00Z'), sentAt: '2026-11-20T10:00:00Z' };

describe('Segment messages as the engine sees them', () => {
  test('a track keeps its event name as its type and its messageId as its event id', () => {
    const { ops } = toOperations([{ type: 'track', event: 'Whitepaper Downloaded', userId: 'u1', messageId: 'm-1', timestamp: '2026-11-20T09:00:00Z', properties: { asset: 'seeds' } }], facts);
    expect(ops).toEqual([{ kind: 'event', index: 0, ids: { userId: 'u1' }, event: { eventId: 'm-1', type: 'Whitepaper Downloaded', occurredAt: '2026-11-20T09:00:00.000Z', properties: { asset: 'seeds' } } }]);
  });

  test('a page view is a web_visit with url, path, referrer, title and name; UTM, IP and user agent land in its properties', () => {
    const [op] = toOperations(
      [{ type: 'page', name: 'Pricing', anonymousId: 'a1', messageId: 'm-2', properties: { url: 'https://acme.example/pricing', path: '/pricing' }, context: { page: { referrer: 'https://search.example', title: 'Pricing' }, campaign: { name: 'fall', source: 'linkedin' }, ip: '203.0.113.9', userAgent: 'Mozilla/5.0' } }],
      facts,
    ).ops;
    expect(op).toMatchObject({ kind: 'event', event: { type: 'web_visit', properties: { url: 'https://acme.example/pricing', path: '/pricing', referrer: 'https://search.example', title: 'Pricing', name: 'Pricing', utm_campaign: 'fall', utm_source: 'linkedin', ip: '203.0.113.9', userAgent: 'Mozilla/5.0' } } });
  });

  test("context.groupId names the event's account", () => {
    expect(toOperations([{ type: 'track', event: 'Signed Up', userId: 'u1', context: { groupId: 'acme' } }], facts).ops[0]).toMatchObject({ accountKey: 'acme' });
  });

  test('identify joins userId, anonymousId and the email; RudderStack traits in context.traits count too', () => {
    const [op] = toOperations([{ type: 'identify', userId: 'u1', anonymousId: 'a1', context: { traits: { email: 'ann@acme.example', title: 'CTO' } }, traits: { firstName: 'Ann' } }], facts).ops;
    expect(op).toEqual({ kind: 'identify', index: 0, ids: { userId: 'u1', anonymousId: 'a1', email: 'ann@acme.example' }, person: { fields: { jobTitle: 'CTO', firstName: 'Ann' }, attributes: {} } });
  });

  test('group names the account and its traits; alias names who is kept and who is merged', () => {
    const { ops } = toOperations([{ type: 'group', userId: 'u1', groupId: 'acme', traits: { name: 'Acme', plan: 'pro' } }, { type: 'alias', userId: 'u2', previousId: 'a9' }], facts);
    expect(ops).toEqual([
      { kind: 'group', index: 0, ids: { userId: 'u1' }, accountKey: 'acme', account: { fields: { name: 'Acme' }, attributes: { plan: 'pro' } } },
      { kind: 'alias', index: 1, userId: 'u2', previousId: 'a9' },
    ]);
  });

  test('a message without a messageId gets the same id each time it is sent', () => {
    const m = { type: 'track', event: 'Signed Up', userId: 'u1', timestamp: '2026-11-20T09:00:00Z' };
    const a = toOperations([m], facts).ops[0];
    const b = toOperations([{ ...m }], facts).ops[0];
    expect(a.kind === 'event' && b.kind === 'event' && a.event.eventId === b.event.eventId).toBe(true);
  });

  test('what can never be applied is refused alone, naming the message and its field', () => {
    const { ops, rejected } = toOperations(
      [
        { type: 'track', userId: 'u1', messageId: 'no-name' },
        { type: 'track', event: 'x'.repeat(101), userId: 'u1' },
        { type: 'track', event: 'Ok', messageId: 'nobody' },
        { type: 'group', userId: 'u1', groupId: 'Acme Corp' },
        { type: 'track', event: 'Ok', userId: 'u1', properties: { $gt: 1 } },
        { type: 'fax', userId: 'u1' },
        { type: 'track', event: 'Ok', userId: 'u1' },
      ],
      facts,
    );
    expect(ops.map((o) => o.index)).toEqual([6]);
    expect(rejected.map((r) => [r.index, r.path])).toEqual([
      [0, 'event'],
      [1, 'event'],
      [2, 'userId'],
      [3, 'groupId'],
      [4, 'properties.$gt'],
      [5, 'type'],
    ]);
    expect(rejected[0].messageId).toBe('no-name');
  });

  test('a single-message route takes only its own type', () => {
    expect(toOperations([{ type: 'identify', userId: 'u1' }], { ...facts, routeType: 'track' }).rejected[0]).toMatchObject({ path: 'type' });
    expect(toOperations([{ event: 'Signed Up', userId: 'u1' }], { ...facts, routeType: 'track' }).ops).toHaveLength(1);
  });
});
