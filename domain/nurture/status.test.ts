import { editRule, mayEnrol, transition } from './status';

test('draft → active ⇄ paused → stopped; a repeated action changes nothing', () => {
  expect(transition('draft', 'activate')).toEqual({ ok: true, to: 'active', changed: true });
  expect(transition('active', 'pause')).toEqual({ ok: true, to: 'paused', changed: true });
  expect(transition('paused', 'resume')).toEqual({ ok: true, to: 'active', changed: true });
  expect(transition('paused', 'pause')).toEqual({ ok: true, to: 'paused', changed: false });
  expect(transition('paused', 'stop')).toEqual({ ok: true, to: 'stopped', changed: true });
});

test('a disallowed action names the current status', () => {
  expect(transition('stopped', 'activate')).toEqual({ ok: false, reason: 'the nurture stream is stopped: activate is allowed only when it is draft' });
  expect(transition('draft', 'pause')).toMatchObject({ ok: false, reason: expect.stringContaining('is draft') });
  expect(transition('paused', 'activate')).toMatchObject({ ok: false, reason: expect.stringContaining('is paused') });
});

test('drafts edit freely, running streams only grow, stopped ones are history; enrolment needs a running stream', () => {
  expect([editRule('draft'), editRule('active'), editRule('paused')]).toEqual(['any', 'appendOnly', 'appendOnly']);
  expect(editRule('stopped')).toMatchObject({ refused: expect.stringContaining('stopped') });
  expect([mayEnrol('active'), mayEnrol('paused')]).toEqual([undefined, undefined]);
  expect(mayEnrol('draft')).toContain('activate it');
});
