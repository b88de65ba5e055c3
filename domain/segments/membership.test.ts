import { personDefinitionSchema } from './definition';
import { evaluateMemberships, type SegmentRule } from './membership';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const cto: SegmentRule = { id: 'seg_cto', revision: 7, level: 'person', definition: personDefinitionSchema.parse({ field: 'person.jobTitle', op: 'eq', value: 'CTO' }) };
const person = (id: string, jobTitle: string, judgedAt: number, current: string[] = []) => ({ id, facts: { person: { jobTitle }, events: [] }, current, judgedAt });

test('someone listed when the segment was saved who no longer matches when first judged loses the listing, with no exit recorded', () => {
  const m = evaluateMemberships([cto], [person('p1', 'CFO', 6)], undefined, NOW);
  expect(m.unlisted).toEqual([{ segmentId: 'seg_cto', memberId: 'p1' }]);
  expect(m.changes).toEqual([]);
  expect(m.people.get('p1')).toEqual([]);
});

test('someone who matches when first judged enters the segment: the listing stays', () => {
  const m = evaluateMemberships([cto], [person('p1', 'CTO', 6)], undefined, NOW);
  expect(m.changes).toEqual([{ segmentId: 'seg_cto', memberId: 'p1', change: 'entered' }]);
  expect(m.unlisted).toEqual([]);
});

test('once judged against the segment, a non-member is not looked up again, and a member who stops matching exits', () => {
  expect(evaluateMemberships([cto], [person('p1', 'CFO', 7)], undefined, NOW).unlisted).toEqual([]);
  const left = evaluateMemberships([cto], [person('p2', 'CFO', 7, ['seg_cto'])], undefined, NOW);
  expect(left.changes).toEqual([{ segmentId: 'seg_cto', memberId: 'p2', change: 'exited' }]);
  expect(left.unlisted).toEqual([]);
});
