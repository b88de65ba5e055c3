import fc from 'fast-check';
import { assembleGroup, Candidate, nextGroupStatus, rolesFor } from './assign';
import { checkTemplate, groupName, RoleTemplate, roleTemplateSchema } from './template';

// The seed's blueprint: "AI-driven seeds" with decision maker, influencer, champion and sponsor.
const seeds: RoleTemplate = roleTemplateSchema.parse({
  name: 'AI seeds buying group',
  solutionInterest: 'AI-driven seeds',
  completeAt: 70,
  roles: [
    { role: 'decision maker', weight: 40, required: true, when: { any: [{ field: 'person.jobTitle', op: 'contains', value: 'CTO' }, { field: 'person.jobTitle', op: 'contains', value: 'Chief Technology' }] } },
    { role: 'influencer', weight: 25, when: { field: 'person.department', op: 'eq', value: 'R&D' } },
    { role: 'champion', weight: 20, when: { field: 'person.seniority', op: 'in', value: ['manager', 'lead'] } },
    { role: 'sponsor', weight: 15, when: { field: 'person.jobTitle', op: 'contains', value: 'VP' } },
  ],
});

const person = (personId: string, fields: Record<string, unknown>, behavior = 0): Candidate => ({ personId, context: { person: fields }, behavior });

test('the group is named after the account and the interest', () => {
  expect(groupName('Acme Corp', 'AI-driven seeds')).toBe('Acme Corp AI-driven seeds Buying Group');
});

test('a CTO fills the required decision maker role; with an R&D influencer the group is 65% and still incomplete', () => {
  const g = assembleGroup(seeds, [person('cto', { jobTitle: 'CTO' }, 20), person('rd', { department: 'R&D' }, 10)]);
  expect(g).toEqual({
    members: [{ personId: 'cto', role: 'decision maker' }, { personId: 'rd', role: 'influencer' }],
    missingRoles: ['champion', 'sponsor'],
    completeness: 65,
    engagement: 30,
    complete: false,
  });
});

test('without its required decision maker a group stays incomplete whatever the other weights', () => {
  const g = assembleGroup({ ...seeds, completeAt: 50 }, [person('rd', { department: 'R&D' }), person('mgr', { seniority: 'manager' }), person('vp', { jobTitle: 'VP Sales' })]);
  expect(g.completeness).toBe(60);
  expect(g.complete).toBe(false);
  expect(g.missingRoles).toEqual(['decision maker']);
});

test('a person who fits several roles takes the heaviest, and the runner-up stays visible', () => {
  expect(assembleGroup(seeds, [person('p', { jobTitle: 'CTO and VP', department: 'R&D' })]).members).toEqual([{ personId: 'p', role: 'decision maker', runnerUp: 'influencer' }]);
});

test('equal weights are decided by the order of the template', () => {
  const tie = roleTemplateSchema.parse({ ...seeds, roles: [{ ...seeds.roles[3], weight: 10 }, { ...seeds.roles[1], weight: 10 }] });
  expect(rolesFor(tie, { person: { jobTitle: 'VP', department: 'R&D' } }).map((r) => r.role)).toEqual(['sponsor', 'influencer']);
});

test('a pinned role and a removal survive whatever the person fits', () => {
  const g = assembleGroup(seeds, [person('cto', { jobTitle: 'CTO' }), person('rd', { department: 'R&D' })], { rd: 'sponsor', cto: null });
  expect(g.members).toEqual([{ personId: 'rd', role: 'sponsor', manual: true, runnerUp: 'influencer' }]);
});

test('a completed group is shared with sales once; completing again after a drop does not share again', () => {
  const full = assembleGroup(seeds, [person('cto', { jobTitle: 'CTO' }), person('rd', { department: 'R&D' }), person('mgr', { seniority: 'manager' })]);
  expect(full.complete).toBe(true);
  expect(nextGroupStatus(seeds, full, false)).toEqual({ status: 'shared_with_sales', shareNow: true });
  expect(nextGroupStatus(seeds, full, true)).toEqual({ status: 'shared_with_sales', shareNow: false });
  expect(nextGroupStatus({ ...seeds, shareWithSales: false }, full, false)).toEqual({ status: 'complete', shareNow: false });
});

test('templates a marketer gets wrong are refused with the path', () => {
  expect(roleTemplateSchema.safeParse({ ...seeds, roles: [] }).success).toBe(false);
  expect(roleTemplateSchema.safeParse({ ...seeds, roles: [{ ...seeds.roles[0], weight: 0 }] }).error?.issues[0].path).toEqual(['roles', 0, 'weight']);
  expect(checkTemplate({ ...seeds, roles: [seeds.roles[0], { ...seeds.roles[1], role: 'Decision Maker' }] })).toEqual([{ path: 'roles.1.role', message: "role 'Decision Maker' is named twice" }]);
  expect(checkTemplate({ ...seeds, roles: [{ ...seeds.roles[0], when: { field: 'person.hat', op: 'eq', value: 'x' } }] })[0].path).toBe('roles.0.when.field');
});

const aTitle = fc.constantFrom('CTO', 'VP Engineering', 'Chief Technology Officer', 'Engineer', 'Marketing Manager');
const aPerson = fc.record({ jobTitle: aTitle, department: fc.constantFrom('R&D', 'Sales', 'IT'), seniority: fc.constantFrom('manager', 'lead', 'junior') });

describe('role matching, for any people', () => {
  test('completeness is the weighted share of the roles that have someone, never above 100', () => {
    fc.assert(
      fc.property(fc.array(aPerson, { maxLength: 8 }), (people) => {
        const g = assembleGroup(seeds, people.map((p, i) => person(`p${i}`, p)));
        const filled = new Set(g.members.map((m) => m.role));
        const expected = Math.round(seeds.roles.filter((r) => filled.has(r.role)).reduce((s, r) => s + r.weight, 0));
        expect(g.completeness).toBe(expected);
        expect(g.missingRoles).toEqual(seeds.roles.filter((r) => !filled.has(r.role)).map((r) => r.role));
        expect(g.completeness).toBeLessThanOrEqual(100);
      }),
    );
  });
  test('every member holds the heaviest role it fits, and the order of people does not matter', () => {
    fc.assert(
      fc.property(fc.array(aPerson, { maxLength: 8 }), (people) => {
        const candidates = people.map((p, i) => person(`p${i}`, p));
        const g = assembleGroup(seeds, candidates);
        for (const m of g.members) expect(m.role).toBe(rolesFor(seeds, { person: people[Number(m.personId.slice(1))] })[0].role);
        expect(assembleGroup(seeds, [...candidates].reverse())).toEqual(g);
      }),
    );
  });
});
