import { addsCampaigns, appendOnlyProblems } from './append-only';
import { nurtureStreamSchema } from './definition';

const def = (stages: { name: string; ids: string[] }[]) =>
  nurtureStreamSchema.parse({ name: 'N', stages: stages.map((s) => ({ name: s.name, campaigns: s.ids.map((id) => ({ id, template: id })) })), cadence: { every: 'P7D' } });
const before = def([{ name: 'A', ids: ['a1', 'a2'] }, { name: 'B', ids: ['b1'] }]);

test('appending campaigns to any stage and new stages is allowed, and adds content', () => {
  const after = def([{ name: 'A', ids: ['a1', 'a2', 'a3'] }, { name: 'B', ids: ['b1'] }, { name: 'C', ids: ['c1'] }]);
  expect(appendOnlyProblems(before, after)).toEqual([]);
  expect(addsCampaigns(before, after)).toBe(true);
  expect(addsCampaigns(before, { ...before, cadence: { every: 'P1D' } })).toBe(false);
});

test('removing, reordering or changing what is there names the path', () => {
  const after = def([{ name: 'A', ids: ['a2', 'a1'] }]);
  expect(appendOnlyProblems(before, after).map((p) => p.path)).toEqual(['stages.0.campaigns.0', 'stages.0.campaigns.1', 'stages.1']);
  const changed = { ...before, stages: [{ ...before.stages[0], campaigns: [{ id: 'a1', template: 'other' }, before.stages[0].campaigns[1]] }, before.stages[1]] };
  expect(appendOnlyProblems(before, changed)).toEqual([{ path: 'stages.0.campaigns.0', message: "campaign 'a1' cannot change while the stream runs: append a new campaign instead" }]);
});
