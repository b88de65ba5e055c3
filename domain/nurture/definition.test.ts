import { nurtureStreamSchema } from './definition';

const stage = (name: string, ids: string[]) => ({ name, campaigns: ids.map((id) => ({ id, template: `t-${id}` })) });
const valid = { name: 'Cloud ERP nurture', stages: [stage('Aware', ['S1C1', 'S1C2'])], cadence: { every: 'P7D' } };
const issues = (body: unknown) => {
  const r = nurtureStreamSchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('a stream of stages of email and action campaigns on a weekly cadence is valid, entry manual unless named', () => {
  const parsed = nurtureStreamSchema.parse({
    ...valid,
    stages: [
      { ...stage('Aware', ['S1C1']), advanceWhen: { field: 'person.score', op: 'gte', value: 30 } },
      { name: 'Consider', campaigns: [{ id: 'S2C1', action: 'notifySales', params: { message: 'Warm lead' } }, { id: 'S2C2', action: 'addToLinkedInAudience', params: { audience: 'erp-retarget' } }] },
    ],
    cadence: { every: 'P7D', days: [2, 4], at: '09:30', timeZone: 'Europe/Berlin' },
    exitWhen: { field: 'account.tier', op: 'eq', value: 'customer' },
  });
  expect(parsed.entry).toEqual({ manual: true });
});

test('at most 7 stages of at most 15 campaigns', () => {
  expect(issues({ ...valid, stages: Array.from({ length: 8 }, (_, i) => stage(`S${i}`, [`c${i}`])) })).toEqual([expect.stringMatching(/^stages: /)]);
  expect(issues({ ...valid, stages: [stage('Big', Array.from({ length: 16 }, (_, i) => `c${i}`))] })).toEqual([expect.stringMatching(/^stages\.0\.campaigns: /)]);
  expect(issues({ ...valid, stages: [] })).toEqual([expect.stringMatching(/^stages: /)]);
});

test('errors name the path: a campaign id used twice, an action parameter, an unknown condition field, a cadence below a second', () => {
  expect(issues({ ...valid, stages: [stage('A', ['x']), stage('B', ['y', 'x'])] })).toEqual(["stages.1.campaigns.1.id: campaign id 'x' is used twice in the stream"]);
  expect(issues({ ...valid, stages: [{ name: 'A', campaigns: [{ id: 'a', action: 'notifySales', params: {} }] }] })).toEqual([expect.stringMatching(/^stages\.0\.campaigns\.0\.params\.message: /)]);
  expect(issues({ ...valid, stages: [{ ...stage('A', ['a']), advanceWhen: { all: [{ field: 'event.type', op: 'eq', value: 'x' }] } }] })).toEqual([expect.stringMatching(/^stages\.0\.advanceWhen\.all\.0\.field: unknown field/)]);
  expect(issues({ ...valid, cadence: { every: 'PT0.5S' } })).toEqual([expect.stringMatching(/^cadence\.every: must be an ISO 8601 duration of at least PT1S/)]);
  expect(issues({ ...valid, cadence: { every: 'PT1S', days: [0], at: '25:00', timeZone: 'Mars/Olympus' } }).map((i) => i.split(':')[0])).toEqual(['cadence.days.0', 'cadence.at', 'cadence.timeZone']);
});
