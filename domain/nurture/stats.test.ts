import { streamStats } from './stats';

const definition = {
  stages: [
    { name: 'Awareness', campaigns: [{ id: 'A1', template: 't1' }, { id: 'A2', template: 't2' }] },
    { name: 'Decision', campaigns: [{ id: 'D1', action: 'notifySales' as const, params: {} }] },
  ],
};
const at = new Date('2026-11-26T10:00:00Z');

test('each campaign counts its sent, suppressed, deferred, waiting, failed and clicked messages, totalled per stage and stream', () => {
  const stats = streamStats(definition, [
    { step: 'A1', status: 'sent', clickedAt: at },
    { step: 'A1', status: 'sent', deferredAt: at },
    { step: 'A1', status: 'suppressed' },
    { step: 'A2', status: 'deferred', deferredAt: at },
    { step: 'A2', status: 'dead' },
    { step: 'D1', status: 'pending' },
  ]);
  expect(stats.stages[0].campaigns[0]).toEqual({ id: 'A1', cast: 3, waiting: 0, sent: 2, suppressed: 1, deferred: 1, failed: 0, clicked: 1 });
  expect(stats.stages[0].campaigns[1]).toEqual({ id: 'A2', cast: 2, waiting: 1, sent: 0, suppressed: 0, deferred: 1, failed: 1, clicked: 0 });
  expect(stats.stages[0].totals).toMatchObject({ cast: 5, sent: 2, deferred: 2 });
  expect(stats.stages[1]).toMatchObject({ stage: 2, name: 'Decision', totals: { cast: 1, waiting: 1 } });
  expect(stats.totals).toMatchObject({ cast: 6, sent: 2, suppressed: 1, deferred: 2, waiting: 2, failed: 1, clicked: 1 });
});

test('a campaign nobody has had yet shows zeros, and messages of a campaign no longer in the stream are not counted', () => {
  const stats = streamStats(definition, [{ step: 'gone', status: 'sent' }]);
  expect(stats.totals.cast).toBe(0);
  expect(stats.stages[1].campaigns[0]).toMatchObject({ id: 'D1', cast: 0 });
});
