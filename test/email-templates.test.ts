import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;
let marketer: string;
let operator: string;
let ingest: string;
let ann: string;

const newKey = async (role: string) => (await h.api('POST', '/v1/api-keys', { role, name: `${role} key` })).body.key as string;

beforeAll(async () => {
  h = await startHarness();
  [marketer, operator, ingest] = [await newKey('marketer'), await newKey('operator'), await newKey('ingest')];
  await h.api('PUT', '/v1/subscription-topics/seeds-news', { name: 'Seeds news' });
  // Ann is the champion of Acme's seeds buying group.
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme Corp', domain: 'acme.example' });
  await h.api('PUT', '/v1/role-templates/ai-seeds', {
    name: 'AI-driven seeds roles',
    solutionInterest: 'AI-driven seeds',
    completeAt: 80,
    roles: [{ role: 'champion', weight: 100, when: { field: 'person.seniority', op: 'eq', value: 'manager' } }],
  });
  await h.api('POST', '/v1/buying-groups', { solutionInterest: 'AI-driven seeds', roleTemplate: 'ai-seeds', accountKeys: ['acme'] });
  ann = (await h.api('PUT', '/v1/people/ann@acme.example', { firstName: 'Ann', lastName: 'Archer', seniority: 'manager', accountKey: 'acme' })).body.personId;
  await eventually(async () => {
    const group = (await h.api('GET', `/v1/buying-groups/${encodeURIComponent('bg:acme:ai-seeds')}`)).body;
    return group.members?.some((m: { personId: string }) => m.personId === ann) ? true : undefined;
  }, { what: 'Ann to be the champion of the seeds group' });
});
afterAll(() => h?.close());

const welcome = {
  name: 'Seeds welcome',
  subject: 'Seeds for {{ account.name }}, {{ person.firstName | default: "there" }}',
  html: '<h1>Hello {{ person.firstName | default: "there" }}</h1>\n<p>As the {{ buyingGroup.role }} at {{ account.name }}, you pick the seeds.</p>\n<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
  from: 'Seeds Team <seeds@vendor.example>',
  topic: 'seeds-news',
  kind: 'marketing',
};

test('a marketer saves a template, reads it back and finds it in the list', async () => {
  expect((await h.api('PUT', '/v1/email-templates/seeds-welcome', welcome, marketer)).status).toBe(201);
  expect((await h.api('PUT', '/v1/email-templates/seeds-welcome', welcome, marketer)).status).toBe(200);
  const saved = await h.api('GET', '/v1/email-templates/seeds-welcome', undefined, operator);
  expect(saved.status).toBe(200);
  expect(saved.body).toEqual({ key: 'seeds-welcome', ...welcome, updatedAt: expect.any(String) });
  const list = await h.api('GET', '/v1/email-templates');
  expect(list.body.items.map((t: { key: string }) => t.key)).toContain('seeds-welcome');
});

test('a Liquid syntax error is a 400 naming the part and the line, and nothing is saved', async () => {
  const res = await h.api('PUT', '/v1/email-templates/broken', { ...welcome, html: '<p>Hi</p>\n<p>{% if person.firstName %}Hello</p>' });
  expect(res.status).toBe(400);
  expect(res.body.error.details).toEqual([{ path: 'html', message: expect.stringMatching(/^line 2, column \d+: tag \{% if person.firstName %\} not closed$/) }]);
  expect((await h.api('GET', '/v1/email-templates/broken')).status).toBe(404);
});

test('an unknown variable is a 400 naming its line and the merge fields there are', async () => {
  const res = await h.api('PUT', '/v1/email-templates/typo', { ...welcome, subject: 'Hi', html: '<p>Hi</p>\n\n<p>{{ person.fristName }}</p>' });
  expect(res.status).toBe(400);
  expect(res.body.error.details).toEqual([
    { path: 'html', message: "line 3, column 7: unknown variable 'person.fristName'; person has email, firstName, lastName, jobTitle, department, seniority, attributes" },
  ]);
});

test('a marketing template needs a defined subscription topic, and html or mjml but not both', async () => {
  const unknownTopic = await h.api('PUT', '/v1/email-templates/t1', { ...welcome, topic: 'no-such-topic' });
  expect(unknownTopic.status).toBe(400);
  expect(unknownTopic.body.error.details).toEqual([{ path: 'topic', message: expect.stringContaining("no subscription topic 'no-such-topic'") }]);
  const { topic: _topic, ...noTopic } = welcome;
  expect((await h.api('PUT', '/v1/email-templates/t1', noTopic)).body.error.details).toEqual([{ path: 'topic', message: expect.stringContaining('needs a subscription topic') }]);
  expect((await h.api('PUT', '/v1/email-templates/t1', { ...noTopic, kind: 'operational' })).status).toBe(201);
  expect((await h.api('PUT', '/v1/email-templates/t2', { ...welcome, mjml: '<mjml></mjml>' })).body.error.details).toEqual([{ path: 'html', message: 'give either html or mjml' }]);
  expect((await h.api('PUT', '/v1/email-templates/t2', { ...welcome, from: 'not an address' })).body.error.details[0].path).toBe('from');
});

test('the preview renders the template for a real person: her name, her account, her buying-group role, and a text part derived from the HTML', async () => {
  const res = await h.api('POST', '/v1/email-templates/seeds-welcome/preview', { personId: ann }, marketer);
  expect(res.status).toBe(200);
  expect(res.body.subject).toBe('Seeds for Acme Corp, Ann');
  expect(res.body.html).toContain('<h1>Hello Ann</h1>');
  expect(res.body.html).toContain('As the champion at Acme Corp, you pick the seeds.');
  expect(res.body.html).toContain('<a href="https://unsubscribe.invalid/preview">Unsubscribe</a>');
  expect(res.body.text).toBe('HELLO ANN\n\nAs the champion at Acme Corp, you pick the seeds.\n\nUnsubscribe [https://unsubscribe.invalid/preview]');
  const audit = (await h.api('GET', '/v1/audit-log')).body.items;
  expect(audit).toContainEqual(expect.objectContaining({ action: 'preview', resource: `person:${ann}`, role: 'marketer' }));
});

test('someone without a first name, account or group is greeted with the defaults', async () => {
  const { personId } = (await h.api('PUT', '/v1/people/nobody@elsewhere.example', {})).body;
  const res = await h.api('POST', '/v1/email-templates/seeds-welcome/preview', { personId });
  expect(res.body.subject).toBe('Seeds for , there');
  expect(res.body.html).toContain('<h1>Hello there</h1>');
});

test('an operator previews with the personal data masked', async () => {
  const res = await h.api('POST', '/v1/email-templates/seeds-welcome/preview', { personId: ann }, operator);
  expect(res.status).toBe(200);
  expect(res.body.subject).toBe('Seeds for Acme Corp, A***');
  expect(res.body.html).not.toContain('Ann');
});

test('MJML renders to responsive HTML with the merge fields filled', async () => {
  const mjml = [
    '<mjml>',
    '  <mj-body>',
    '    <mj-section><mj-column>',
    '      <mj-text>Hi {{ person.firstName }}, the {{ buyingGroup.role }} at {{ account.name }}</mj-text>',
    '      <mj-button href="{{ unsubscribe_url }}">Unsubscribe</mj-button>',
    '    </mj-column></mj-section>',
    '  </mj-body>',
    '</mjml>',
  ].join('\n');
  const { html: _html, ...rest } = welcome;
  expect((await h.api('PUT', '/v1/email-templates/seeds-mjml', { ...rest, mjml })).status).toBe(201);
  const res = await h.api('POST', '/v1/email-templates/seeds-mjml/preview', { personId: ann });
  expect(res.body.html).toMatch(/^<!doctype html>/i);
  expect(res.body.html).toContain('Hi Ann, the champion at Acme Corp');
  expect(res.body.html).toContain('href="https://unsubscribe.invalid/preview"');
  expect(res.body.text).toContain('Hi Ann, the champion at Acme Corp');

  const bad = await h.api('PUT', '/v1/email-templates/seeds-mjml', { ...rest, mjml: mjml.replace(/mj-column/g, 'mj-colum') });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details[0]).toEqual({ path: 'mjml', message: expect.stringMatching(/^line 3, .*mj-colum/) });
});

test('only admins and marketers write templates; operators read them; ingest keys neither', async () => {
  expect((await h.api('PUT', '/v1/email-templates/seeds-welcome', welcome, operator)).status).toBe(403);
  expect((await h.api('PUT', '/v1/email-templates/seeds-welcome', welcome, ingest)).status).toBe(403);
  expect((await h.api('GET', '/v1/email-templates/seeds-welcome', undefined, ingest)).status).toBe(403);
  expect((await h.api('POST', '/v1/email-templates/seeds-welcome/preview', { personId: ann }, ingest)).status).toBe(403);
  expect((await h.api('GET', '/v1/email-templates', undefined, null)).status).toBe(401);
});

test('previewing for someone who does not exist, or a template that does not exist, is a 404', async () => {
  expect((await h.api('POST', '/v1/email-templates/seeds-welcome/preview', { personId: 'p_nobody' })).status).toBe(404);
  expect((await h.api('POST', '/v1/email-templates/no-such/preview', { personId: ann })).status).toBe(404);
});
