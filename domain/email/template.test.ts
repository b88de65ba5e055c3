import { compileTemplate, renderEmail } from './template';
import type { EmailContext } from './merge-fields';

const ann: EmailContext = {
  person: { firstName: 'Ann', email: 'ann@acme.example', attributes: { plan: 'Pro' } },
  account: { name: 'Acme Corp' },
  buyingGroup: { role: 'champion', name: 'Acme Corp AI-driven seeds Buying Group' },
  unsubscribe_url: 'https://engine.example/u/t0k3n',
};

async function compiled(source: Parameters<typeof compileTemplate>[0]) {
  const result = await compileTemplate(source);
  expect(result.problems).toEqual([]);
  return result.compiled!;
}

describe('writing an email template', () => {
  test('merge fields fill in the subject, the HTML and a text part derived from the HTML', async () => {
    const template = await compiled({
      subject: 'Seeds for {{ account.name }}, {{ person.firstName | default: "there" }}',
      html: '<h1>Hello {{ person.firstName | default: "there" }}</h1>\n<p>As the {{ buyingGroup.role }} on the {{ person.attributes.plan }} plan…</p>\n<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
    });
    const mail = renderEmail(template, ann);
    expect(mail.subject).toBe('Seeds for Acme Corp, Ann');
    expect(mail.html).toContain('<h1>Hello Ann</h1>');
    expect(mail.html).toContain('As the champion on the Pro plan');
    expect(mail.html).toContain('href="https://engine.example/u/t0k3n"');
    expect(mail.text).toMatch(/^HELLO ANN\n\nAs the champion on the Pro plan…\n\nUnsubscribe \[https:\/\/engine\.example\/u\/t0k3n\]$/);
  });

  test('someone without a first name is greeted with the default, someone without an account or group renders those empty', async () => {
    const template = await compiled({ subject: 'Hi {{ person.firstName | default: "there" }}', html: '<p>{{ account.name }}|{{ buyingGroup.role }}</p>' });
    const mail = renderEmail(template, { person: {}, account: null, buyingGroup: null, unsubscribe_url: '' });
    expect(mail.subject).toBe('Hi there');
    expect(mail.html).toBe('<p>|</p>');
  });

  test('a text part written by hand is used as written, with its merge fields', async () => {
    const template = await compiled({ subject: 'x', html: '<p>HTML</p>', text: 'Hi {{ person.firstName }},\nplain & simple.' });
    expect(renderEmail(template, ann).text).toBe('Hi Ann,\nplain & simple.');
  });

  test('a name with markup is escaped in the HTML, kept as text in the text part, and cannot break the subject onto a second line', async () => {
    const template = await compiled({ subject: 'Hi {{ person.firstName }}!', html: '<p>Hi {{ person.firstName }}</p>', text: 'Hi {{ person.firstName }}' });
    const mail = renderEmail(template, { ...ann, person: { firstName: '<b>Ann</b>\r\nBcc: all@acme.example' } });
    expect(mail.html).toBe('<p>Hi &lt;b&gt;Ann&lt;/b&gt;\r\nBcc: all@acme.example</p>');
    expect(mail.subject).toBe('Hi <b>Ann</b> Bcc: all@acme.example!');
    expect(mail.text).toBe('Hi <b>Ann</b>\r\nBcc: all@acme.example');
  });

  test('assigned variables and loop variables are the template\'s own, not unknown merge fields', async () => {
    const template = await compiled({ subject: 'x', html: '{% assign who = person.firstName | upcase %}{{ who }}{% for k in (1..2) %}{{ k }}{% endfor %}' });
    expect(renderEmail(template, ann).html).toBe('ANN12');
  });
});

describe('mistakes are named by part and line', () => {
  test('a Liquid syntax error names its line', async () => {
    const { problems, compiled: none } = await compileTemplate({ subject: 'ok', html: '<p>Hi</p>\n<p>{% if person.firstName %}Hello</p>' });
    expect(none).toBeUndefined();
    expect(problems).toEqual([{ part: 'html', line: 2, message: expect.stringMatching(/^column \d+: tag \{% if person.firstName %\} not closed$/) }]);
  });

  test('an unknown variable, a misspelt field and an unknown filter are each named with their line', async () => {
    const { problems } = await compileTemplate({
      subject: 'Hi {{ persn.firstName }}',
      html: '<p>line one</p>\n<p>{{ person.fristName }}</p>\n<p>{{ account.name }}</p>',
      text: 'one\ntwo\n{{ person.firstName | shout }}',
    });
    expect(problems).toEqual([
      { part: 'subject', line: 1, message: "column 7: unknown variable 'persn.firstName'; a template may use person, account, buyingGroup, unsubscribe_url" },
      { part: 'html', line: 2, message: "column 7: unknown variable 'person.fristName'; person has email, firstName, lastName, jobTitle, department, seniority, attributes" },
      { part: 'text', line: 3, message: 'column 1: undefined filter: shout' },
    ]);
  });

  test('a template is compiled once, however often it is sent', async () => {
    const source = { subject: 'Hi {{ person.firstName }}', html: '<p>Hi</p>' };
    expect((await compileTemplate({ ...source })).compiled).toBe((await compileTemplate({ ...source })).compiled);
  });

  test('a template cannot include files from the server', async () => {
    const { problems } = await compileTemplate({ subject: 'x', html: 'a\n{% include "/etc/passwd" %}' });
    expect(problems).toEqual([{ part: 'html', line: 2, message: 'column 1: {% include %} is not supported: a template is self-contained' }]);
  });
});

describe('MJML', () => {
  const mjml = [
    '<mjml>',
    '  <mj-body>',
    '    <mj-section><mj-column>',
    '      <mj-text>Hi {{ person.firstName | default: "there" }} from {{ account.name }}</mj-text>',
    '      <mj-button href="{{ unsubscribe_url }}">Unsubscribe</mj-button>',
    '    </mj-column></mj-section>',
    '  </mj-body>',
    '</mjml>',
  ].join('\n');

  test('renders to responsive HTML with the merge fields filled, and a text part', async () => {
    const mail = renderEmail(await compiled({ subject: 'x', mjml }), ann);
    expect(mail.html).toMatch(/^<!doctype html>/i);
    expect(mail.html).toContain('Hi Ann from Acme Corp');
    expect(mail.html).toContain('href="https://engine.example/u/t0k3n"');
    expect(mail.html).not.toContain('{{');
    expect(mail.text).toContain('Hi Ann from Acme Corp');
  });

  test('an unknown MJML element and a Liquid mistake in MJML are named by their line as written', async () => {
    const { problems } = await compileTemplate({ subject: 'x', mjml: mjml.replace('<mj-section><mj-column>', '<mj-section><mj-colum>').replace('</mj-column>', '</mj-colum>') });
    expect(problems).toEqual([{ part: 'mjml', line: 3, message: expect.stringContaining('mj-colum') }]);
    const liquid = await compileTemplate({ subject: 'x', mjml: mjml.replace('account.name', 'acount.name') });
    expect(liquid.problems).toEqual([{ part: 'mjml', line: 4, message: expect.stringContaining("unknown variable 'acount.name'") }]);
  });
});
