import { mayEdit, mayRunNow, transition } from './status';

describe('lead transfer statuses', () => {
  test('a draft is activated, paused, resumed and stopped', () => {
    expect(transition('draft', 'activate')).toEqual({ ok: true, to: 'active' });
    expect(transition('active', 'pause')).toEqual({ ok: true, to: 'paused' });
    expect(transition('paused', 'activate')).toEqual({ ok: true, to: 'active' });
    expect(transition('paused', 'stop')).toEqual({ ok: true, to: 'stopped' });
  });

  test('repeating an action changes nothing and is not refused', () => {
    expect(transition('active', 'activate')).toEqual({ ok: true, to: 'active' });
    expect(transition('stopped', 'stop')).toEqual({ ok: true, to: 'stopped' });
  });

  test('a draft cannot be paused and a stopped transfer cannot come back; the refusal names the current status', () => {
    expect(transition('draft', 'pause')).toEqual({ ok: false, reason: expect.stringMatching(/is draft: pause is allowed only when it is active/) });
    expect(transition('stopped', 'activate')).toEqual({ ok: false, reason: expect.stringMatching(/is stopped: activate is allowed only when it is draft or paused/) });
  });

  test('only draft and paused transfers can be edited', () => {
    expect(mayEdit('draft')).toBeUndefined();
    expect(mayEdit('paused')).toBeUndefined();
    expect(mayEdit('active')).toMatch(/is active.*pause it first/);
    expect(mayEdit('stopped')).toMatch(/is stopped/);
  });

  test('run now works until the transfer is stopped', () => {
    expect(['draft', 'active', 'paused'].map((s) => mayRunNow(s as never))).toEqual([undefined, undefined, undefined]);
    expect(mayRunNow('stopped')).toMatch(/stopped/);
  });
});
