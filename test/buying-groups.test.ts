import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';
import { workflowStory } from './support/histories';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme Corp', domain: 'acme.example', industry: 'Agriculture' });
});
afterAll(() => h?.close());

// The seed's blueprint: Acme Corp, solution interest "AI-driven seeds".
const template = {
  name: 'AI-driven seeds roles',
  solutionInterest: 'AI-driven seeds',
  completeAt: 80,
  roles: [
    { role: 'decision maker', weight: 40, required: true, when: { any: [{ field: 'person.jobTitle', op: 'contains', value: 'CTO' }, { field: 'person.jobTitle', op: 'contains', value: 'Chief Technology' }] } },
    { role: 'influencer', weight: 25, when: { field: 'person.department', op: 'eq', value: 'R&D' } },
    { role: 'champion', weight: 20, when: { field: 'person.seniority', op: 'in', value: ['manager', 'lead'] } },
    { role: 'sponsor', weight: 15, when: { field: 'person.jobTitle', op: 'contains', value: 'VP' } },
  ],
};
const GROUP = 'bg:acme:ai-seeds';

async function group(check: (g: any) => boolean, what: string) {
  let last: unknown;
  return eventually(
    async () => {
      const res = await h.api('GET', `/v1/buying-groups/${encodeURIComponent(GROUP)}`);
      last = res.body;
      return res.status === 200 && check(res.body) ? res.body : undefined;
    },
    // A time-out says what the group last showed and what Acme's workflow did meanwhile.
    { what, explain: async () => `the group last showed ${JSON.stringify(last)}\n${await workflowStory(h.client, 'account:acme')}` },
  );
}

const shares = async () => (await h.api('GET', '/v1/outbound-messages?channel=sales&accountKey=acme')).body.items;

test('the Acme Corp seeds group fills role by role, completes, and is shared with sales exactly once through replays and a worker restart', async () => {
  expect((await h.api('PUT', '/v1/role-templates/ai-seeds', template)).status).toBe(201);
  const setUp = await h.api('POST', '/v1/buying-groups', { solutionInterest: 'AI-driven seeds', roleTemplate: 'ai-seeds', accountKeys: ['acme'] });
  expect(setUp.status).toBe(202);
  const empty = await group((g) => g.missingRoles.length === 4, 'the empty group');
  expect(empty).toMatchObject({ name: 'Acme Corp AI-driven seeds Buying Group', completeness: 0, status: 'incomplete' });

  // A CTO known from the CRM.
  const { personId: cto } = (await h.api('PUT', '/v1/people/carl@acme.example', { jobTitle: 'CTO', seniority: 'c-level' })).body;
  await group((g) => g.completeness === 40, 'the decision maker to count');

  // A visitor who reads about seeds, then identifies herself: she is in R&D.
  const visits = [event({ type: 'web_visit', occurredAt: new Date().toISOString(), person: { anonymousId: 'seed-cookie' }, accountKey: 'acme' })];
  await h.api('POST', '/v1/events', { events: visits });
  const { personId: rd } = (await h.api('POST', '/v1/identify', { person: { anonymousId: 'seed-cookie', email: 'rita@acme.example' } })).body;
  await h.api('PUT', '/v1/people/rita@acme.example', { department: 'R&D' });
  const influenced = await group((g) => g.completeness === 65, 'the influencer to count');
  expect(influenced.members).toEqual([{ personId: cto, role: 'decision maker' }, { personId: rd, role: 'influencer' }]);
  expect(influenced.status).toBe('incomplete');
  expect(await shares()).toEqual([]);

  // A manager completes it: 85 ≥ 80, so sales get it.
  const downloads = [event({ type: 'whitepaper_download', occurredAt: new Date().toISOString(), person: { email: 'max@acme.example' } })];
  await h.api('POST', '/v1/events', { events: downloads });
  const { personId: champion } = (await h.api('PUT', '/v1/people/max@acme.example', { seniority: 'manager' })).body;
  const shared = await group((g) => g.status === 'shared_with_sales', 'the group to be shared with sales');
  expect(shared).toMatchObject({ completeness: 85, missingRoles: ['sponsor'] });
  expect(shared.members.map((m: { personId: string }) => m.personId)).toEqual([cto, rd, champion]);

  // The same events again, a worker restart, a refresh: still one hand-over.
  await h.stopWorker();
  await h.api('POST', '/v1/events', { events: [...visits, ...downloads] });
  await h.api('PUT', '/v1/people/max@acme.example', { seniority: 'manager' });
  await h.startWorker();
  await eventually(async () => ((await h.api('GET', '/v1/accounts/acme')).body.activity.total === 2 ? true : undefined), { what: 'the replay to be applied' });
  const messages = await shares();
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({ type: 'buying_group.shared', accountKey: 'acme', payload: { groupId: GROUP, completeness: 85 } });

  // The CTO becomes VP: she moves to sponsor, the required decision maker is missing again.
  await h.api('PUT', '/v1/people/carl@acme.example', { jobTitle: 'VP Product' });
  const dropped = await group((g) => g.status === 'incomplete', 'the group to lose its decision maker');
  expect(dropped.missingRoles).toEqual(['decision maker']);
  expect(dropped.members.find((m: { personId: string }) => m.personId === cto).role).toBe('sponsor');
  expect(dropped.history.map((x: { to: string }) => x.to)).toEqual(['shared_with_sales', 'incomplete']);
  expect(await shares()).toHaveLength(1);

  // A marketer pins Rita as decision maker by hand (the pin survives refreshes): now nobody is the influencer.
  expect((await h.api('PATCH', `/v1/buying-groups/${encodeURIComponent(GROUP)}/members/${rd}`, { role: 'decision maker' })).status).toBe(202);
  const pinned = await group((g) => g.members.some((m: { manual?: boolean }) => m.manual), 'the pin to show');
  expect(pinned.members.find((m: { personId: string }) => m.personId === rd)).toEqual({ personId: rd, role: 'decision maker', manual: true, runnerUp: 'influencer' });
  expect(pinned).toMatchObject({ completeness: 75, missingRoles: ['influencer'], status: 'incomplete' });
  expect(await shares()).toHaveLength(1);

  const profile = (await h.api('GET', '/v1/accounts/acme')).body;
  expect(profile.buyingGroups.map((g: { id: string }) => g.id)).toEqual([GROUP]);
});

test('accounts whose group misses a role are an account audience, previewed as soon as the group is built, and their people export for a role-filtered campaign', async () => {
  const missing = { level: 'account', definition: { buyingGroup: { solutionInterest: 'ai-driven seeds', missingRole: 'decision maker' } } };
  expect((await h.api('POST', '/v1/segments/preview', missing)).body.count).toBe(0);
  await h.api('PUT', '/v1/accounts/globex', { name: 'Globex', domain: 'globex.example' });
  await h.api('PUT', '/v1/people/gil@globex.example', { department: 'R&D' });
  expect((await h.api('POST', '/v1/buying-groups', { solutionInterest: 'AI-driven seeds', roleTemplate: 'ai-seeds', accountKeys: ['globex'] })).status).toBe(202);
  await eventually(async () => ((await h.api('GET', '/v1/accounts/globex/buying-groups')).body.items[0]?.completeness === 25 ? true : undefined), { what: 'the globex group' });

  // The snapshot was loaded before the group existed; the group's write reaches it without a reload.
  const preview = (await h.api('POST', '/v1/segments/preview', missing)).body;
  expect(preview.sample.map((s: { accountKey: string }) => s.accountKey)).toEqual(['globex']);

  const csv = (await h.api('GET', '/v1/buying-groups/export?solutionInterest=AI-driven%20seeds&missingRole=decision%20maker')).body as string;
  expect(csv.split('\n')[0]).toBe('accountKey,group,missingRoles,personId,email,firstName,lastName,jobTitle,role');
  expect(csv).toContain('globex,Globex AI-driven seeds Buying Group,decision maker; champion; sponsor,');
  expect(csv).toContain('gil@globex.example');
});

test('a group set up for an account whose people are known shows its members at once, before any workflow evaluates it, and goes to sales once when already complete', async () => {
  await h.api('PUT', '/v1/accounts/initech', { name: 'Initech', domain: 'initech.example' });
  const { personId: cto } = (await h.api('PUT', '/v1/people/bill@initech.example', { jobTitle: 'CTO' })).body;
  const { personId: rd } = (await h.api('PUT', '/v1/people/peter@initech.example', { department: 'R&D' })).body;
  const { personId: lead } = (await h.api('PUT', '/v1/people/mia@initech.example', { seniority: 'lead' })).body;
  const initechShares = async () => (await h.api('GET', '/v1/outbound-messages?channel=sales&accountKey=initech')).body.items;

  // With no worker running, only the set-up itself can have evaluated the group.
  await h.stopWorker();
  try {
    expect((await h.api('POST', '/v1/buying-groups', { solutionInterest: 'AI-driven seeds', roleTemplate: 'ai-seeds', accountKeys: ['initech'] })).status).toBe(202);
    const shown = (await h.api('GET', `/v1/buying-groups/${encodeURIComponent('bg:initech:ai-seeds')}`)).body;
    expect(shown).toMatchObject({ name: 'Initech AI-driven seeds Buying Group', completeness: 85, missingRoles: ['sponsor'], status: 'shared_with_sales' });
    expect(shown.members).toEqual([
      { personId: cto, role: 'decision maker' },
      { personId: rd, role: 'influencer' },
      { personId: lead, role: 'champion' },
    ]);
    expect(await initechShares()).toHaveLength(1);
  } finally {
    await h.startWorker();
  }

  // Its workflow evaluates it again and keeps it following its people: a VP fills the last role, and sales still hear of it once.
  await h.api('PUT', '/v1/people/vera@initech.example', { jobTitle: 'VP Agronomy' });
  const full = await eventually(async () => {
    const g = (await h.api('GET', `/v1/buying-groups/${encodeURIComponent('bg:initech:ai-seeds')}`)).body;
    return g.completeness === 100 ? g : undefined;
  }, { what: 'the sponsor to count' });
  expect(full.history.map((x: { to: string }) => x.to)).toEqual(['shared_with_sales']);
  expect(await initechShares()).toHaveLength(1);
});

describe('what cannot be set up is refused clearly', () => {
  const put = (body: unknown) => h.api('PUT', '/v1/role-templates/broken', body);
  const paths = (res: { body: { error: { details: { path: string }[] } } }) => res.body.error.details.map((d) => d.path);
  test('a weight of zero, an empty role list, a role named twice, an unknown field', async () => {
    expect(paths(await put({ ...template, roles: [{ ...template.roles[0], weight: 0 }] }))).toEqual(['roles.0.weight']);
    expect(paths(await put({ ...template, roles: [] }))).toEqual(['roles']);
    expect(paths(await put({ ...template, roles: [template.roles[0], { ...template.roles[1], role: 'Decision Maker' }] }))).toEqual(['roles.1.role']);
    expect(paths(await put({ ...template, roles: [{ ...template.roles[0], when: { field: 'person.shoeSize', op: 'eq', value: 1 } }] }))).toEqual(['roles.0.when.field']);
  });
  test('an unknown template is not found; a refresh for no accounts is fine and does nothing', async () => {
    expect((await h.api('POST', '/v1/buying-groups', { solutionInterest: 'x', roleTemplate: 'nope', accountKeys: ['acme'] })).status).toBe(404);
    expect(await h.api('POST', '/v1/buying-groups', { solutionInterest: 'AI-driven seeds', roleTemplate: 'ai-seeds', accountKeys: [] })).toEqual({ status: 200, body: { accounts: 0 } });
  });
  test('a role a template does not have cannot be pinned', async () => {
    const { personId } = (await h.api('PUT', '/v1/people/olga@acme.example', {})).body;
    const res = await h.api('PATCH', `/v1/buying-groups/${encodeURIComponent(GROUP)}/members/${personId}`, { role: 'janitor' });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['role']);
  });
});
