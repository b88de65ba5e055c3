import { eventually, Harness, startHarness } from './support/harness';
import { journeyApi } from './support/journeys';
import { mailDev } from './support/maildev';

let h: Harness;
const inbox = mailDev();
beforeAll(async () => {
  h = await startHarness();
  await inbox.deleteAll();
  await h.api('PUT', '/v1/subscription-topics/seeds', { name: 'AI-driven seeds' });
  expect(
    (
      await h.api('PUT', '/v1/email-templates/seeds-intro', {
        name: 'Seeds intro',
        kind: 'marketing',
        topic: 'seeds',
        subject: 'Hello {{ person.firstName | default: "there" }}',
        html: '<p>Hi {{ person.firstName | default: "there" }} at {{ account.name }}.</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
      })
    ).status,
  ).toBeLessThan(300);
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme Corp', domain: 'acme.example' });
  await h.api('PUT', '/v1/people/ann@acme.example', { firstName: 'Ann', accountKey: 'acme' });
  await h.api('PUT', '/v1/people/bob@acme.example', { firstName: 'Bob', accountKey: 'acme', consent: { email: false } });
});
afterAll(() => h?.close());

const { publish, at, launch } = journeyApi(() => h);
const mailJourney = (name: string, template = 'seeds-intro') =>
  publish({ name, reentry: 'afterExit', start: 'mail', nodes: { mail: { type: 'action', action: 'sendEmail', params: { template, to: 'allContacts' }, next: 'done' }, done: { type: 'exit' } } });
const messagesOf = async (journey: string) =>
  ((await h.api('GET', '/v1/outbound-messages?accountKey=acme&limit=500')).body.items as { id: string; personId: string; status: string; reason?: string; scheduledFor?: string; payload: { journeyId?: string } }[]).filter(
    (m) => m.payload.journeyId === journey,
  );
const personId = async (email: string) => (await h.api('POST', '/v1/identify', { person: { email } })).body.personId as string;
const mailTo = async (address: string) => (await inbox.list()).filter((m) => m.to.some((t) => t.address === address));

test('a journey emails the account\'s contacts with merged fields and one-click unsubscribe headers; the contact who opted out gets nothing', async () => {
  const journey = await mailJourney('Seeds intro to Acme');
  await launch(journey, ['acme']);
  await at(journey, 'acme', 'done', 'completed');
  const [ann, bob] = [await personId('ann@acme.example'), await personId('bob@acme.example')];
  const settled = await eventually(async () => {
    const all = await messagesOf(journey);
    return all.length === 2 && all.every((m) => m.status !== 'pending') ? all : undefined;
  }, { what: 'both messages settled' });
  expect(settled.find((m) => m.personId === ann)).toMatchObject({ status: 'sent' });
  expect(settled.find((m) => m.personId === bob)).toMatchObject({ status: 'suppressed', reason: 'opted_out' });

  const [caught] = await eventually(async () => ((await mailTo('ann@acme.example')).length ? mailTo('ann@acme.example') : undefined), { what: 'Ann\'s email' });
  expect(await mailTo('bob@acme.example')).toHaveLength(0);
  const email = await inbox.read(caught.id);
  expect(email.subject).toBe('Hello Ann');
  expect(email.html).toContain('Hi Ann at Acme Corp.');
  expect(email.text).toContain('Hi Ann at Acme Corp.');
  const messageId = settled.find((m) => m.personId === ann)!.id;
  expect(String(email.headers['message-id'])).toContain(encodeURIComponent(messageId).slice(0, 20));
  expect(email.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  const unsubscribeUrl = /<([^>]+)>/.exec(String(email.headers['list-unsubscribe']))![1];
  expect(email.html).toContain(unsubscribeUrl);
});

test('opening the unsubscribe link changes nothing; the one-click POST unsubscribes, and the next send skips that person', async () => {
  const [caught] = await mailTo('ann@acme.example');
  const email = await inbox.read(caught.id);
  const link = new URL(/<([^>]+)>/.exec(String(email.headers['list-unsubscribe']))![1]);
  const local = `${h.baseUrl}${link.pathname}`;
  const ann = await personId('ann@acme.example');

  // A link scanner follows the GET: a page, no change.
  const page = await fetch(local);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Unsubscribe');
  expect((await h.api('GET', `/v1/suppressions?personId=${ann}`)).body.items).toEqual([]);

  const oneClick = await fetch(local, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  expect(oneClick.status).toBe(200);
  expect((await h.api('GET', `/v1/suppressions?personId=${ann}`)).body.items).toMatchObject([{ scope: 'seeds', reason: 'unsubscribed' }]);
  expect((await fetch(`${h.baseUrl}/u/not-a-token`)).status).toBe(404);

  const again = await mailJourney('Seeds intro, second wave');
  await launch(again, ['acme']);
  const settled = await eventually(async () => {
    const all = await messagesOf(again);
    return all.length === 2 && all.every((m) => m.status !== 'pending') ? all : undefined;
  }, { what: 'the second wave settled' });
  expect(settled.map((m) => m.status)).toEqual(['suppressed', 'suppressed']);
  expect(await mailTo('ann@acme.example')).toHaveLength(1);
});

test('a hard bounce suppresses the address for all email', async () => {
  await h.api('PUT', '/v1/people/cy@acme.example', { firstName: 'Cy', accountKey: 'acme' });
  const journey = await mailJourney('Bounce check');
  await launch(journey, ['acme']);
  const cy = await personId('cy@acme.example');
  const sent = await eventually(async () => (await messagesOf(journey)).find((m) => m.personId === cy && m.status === 'sent'), { what: 'Cy\'s message sent' });
  expect((await h.api('POST', '/v1/email-feedback', { messageId: sent.id, type: 'hard_bounce' })).body).toEqual({ messageId: sent.id, suppressed: true });
  expect((await h.api('GET', `/v1/suppressions?personId=${cy}`)).body.items).toMatchObject([{ scope: 'all', reason: 'hard_bounce' }]);
  const next = await mailJourney('After the bounce');
  await launch(next, ['acme']);
  const cyNext = await eventually(async () => (await messagesOf(next)).find((m) => m.personId === cy && m.status !== 'pending'), { what: 'Cy\'s next message settled' });
  expect(cyNext).toMatchObject({ status: 'suppressed', reason: 'suppressed (hard_bounce)' });
});

test('over the daily cap a marketing email is deferred, with the moment it will go', async () => {
  await h.api('PUT', '/v1/accounts/globex', { name: 'Globex', domain: 'globex.example' });
  await h.api('PUT', '/v1/people/gil@globex.example', { firstName: 'Gil', accountKey: 'globex' });
  await h.api('PUT', '/v1/settings/email', { maxPerDay: 1 });
  const first = await publish({ name: 'Globex one', start: 'mail', nodes: { mail: { type: 'action', action: 'sendEmail', params: { template: 'seeds-intro' }, next: 'done' }, done: { type: 'exit' } } });
  const second = await publish({ name: 'Globex two', start: 'mail', nodes: { mail: { type: 'action', action: 'sendEmail', params: { template: 'seeds-intro' }, next: 'done' }, done: { type: 'exit' } } });
  const globex = async (journey: string) => ((await h.api('GET', '/v1/outbound-messages?accountKey=globex')).body.items as { status: string; sentAt?: string; scheduledFor?: string; reason?: string; payload: { journeyId: string } }[]).find((m) => m.payload.journeyId === journey);
  await launch(first, ['globex']);
  const sent = await eventually(async () => ((await globex(first))?.status === 'sent' ? globex(first) : undefined), { what: 'the first email sent' });
  await launch(second, ['globex']);
  const deferred = await eventually(async () => ((await globex(second))?.status === 'deferred' ? globex(second) : undefined), { what: 'the second email deferred' });
  expect(deferred!.reason).toBe('over 1 per day');
  expect(Date.parse(deferred!.scheduledFor!)).toBe(Date.parse(sent!.sentAt!) + 86_400_000);
  await h.api('PUT', '/v1/settings/email', {});
});

test('outside the send window a marketing email waits for the window and then goes out', async () => {
  await h.api('PUT', '/v1/people/hal@globex.example', { firstName: 'Hal', accountKey: 'globex' });
  // A zone where it is about noon now, and a window that opens 1–2 minutes from now there:
  // far enough that a slow launch still meets it closed.
  const utcHour = new Date().getUTCHours();
  const offset = utcHour - 12;
  const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '+' : '-'}${Math.abs(offset)}`;
  const local = new Date(Date.now() - offset * 3_600_000 + 120_000);
  const from = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  await h.api('PUT', '/v1/settings/email', { sendWindow: { days: [1, 2, 3, 4, 5, 6, 7], from, to: '23:00' }, timeZone: zone });
  const journey = await publish({ name: 'Windowed', start: 'mail', nodes: { mail: { type: 'action', action: 'sendEmail', params: { template: 'seeds-intro' }, next: 'done' }, done: { type: 'exit' } } });
  await launch(journey, ['globex']);
  const hal = await personId('hal@globex.example');
  const mine = async () => ((await h.api('GET', `/v1/outbound-messages?personId=${hal}`)).body.items as { status: string; scheduledFor?: string; reason?: string }[])[0];
  const deferred = await eventually(async () => ((await mine())?.status === 'deferred' ? mine() : undefined), { what: 'the email deferred' });
  expect(deferred!.reason).toBe(`outside the send window (${zone})`);
  await eventually(async () => ((await mine())?.status === 'sent' ? true : undefined), { what: 'the email sent when the window opens', timeoutMs: 180_000 });
  expect(await mailTo('hal@globex.example')).toHaveLength(1);
  await h.api('PUT', '/v1/settings/email', {});
}, 240_000);

test('delivery counts per channel and status, in the stats and in /metrics', async () => {
  const stats = (await h.api('GET', '/v1/deliveries/stats')).body;
  expect(stats.channels.email.sent).toBeGreaterThanOrEqual(3);
  expect(stats.channels.email.suppressed).toBeGreaterThanOrEqual(3);
  // Read until both agree: a message still on its way may settle between the two reads.
  await eventually(async () => {
    const [fresh, metrics] = await Promise.all([h.api('GET', '/v1/deliveries/stats'), h.api('GET', '/metrics', undefined, null)]);
    return (metrics.body as string).includes(`outbound_messages{channel="email",status="sent"} ${fresh.body.channels.email.sent}\n`) ? true : undefined;
  }, { what: 'the metrics gauge to show the stats' });
});

test('a sales alert from a journey is emailed to the account\'s owner', async () => {
  await h.api('PUT', '/v1/accounts/initech', { name: 'Initech', domain: 'initech.example', attributes: { ownerEmail: 'rep@seller.example' } });
  const journey = await publish({ name: 'Tell the rep', start: 'tell', nodes: { tell: { type: 'action', action: 'notifySales', params: { message: 'Initech read the pricing page' }, next: 'done' }, done: { type: 'exit' } } });
  await launch(journey, ['initech']);
  const [alert] = await eventually(async () => ((await mailTo('rep@seller.example')).length ? mailTo('rep@seller.example') : undefined), { what: 'the sales alert' });
  const email = await inbox.read(alert.id);
  expect(email.subject).toBe('Sales alert: Initech');
  expect(email.text).toContain('Initech read the pricing page');
  // Operational: no unsubscribe headers.
  expect(email.headers['list-unsubscribe']).toBeUndefined();
});

test('an email to a buying-group role reaches only the people in that role', async () => {
  await h.api('PUT', '/v1/accounts/hooli', { name: 'Hooli', domain: 'hooli.example' });
  await h.api('PUT', '/v1/people/gavin@hooli.example', { firstName: 'Gavin', jobTitle: 'CTO', accountKey: 'hooli' });
  await h.api('PUT', '/v1/people/jian@hooli.example', { firstName: 'Jian', jobTitle: 'Engineer', accountKey: 'hooli' });
  await h.api('PUT', '/v1/role-templates/seeds-roles', { name: 'Seeds roles', solutionInterest: 'AI-driven seeds', completeAt: 100, roles: [{ role: 'decision maker', weight: 1, when: { field: 'person.jobTitle', op: 'contains', value: 'CTO' } }] });
  await h.api('POST', '/v1/buying-groups', { solutionInterest: 'AI-driven seeds', roleTemplate: 'seeds-roles', accountKeys: ['hooli'] });
  await eventually(async () => ((await h.api('GET', '/v1/accounts/hooli/buying-groups')).body.items[0]?.members?.length === 1 ? true : undefined), { what: 'the decision maker in the group' });
  const journey = await publish({ name: 'To the decision maker', start: 'mail', nodes: { mail: { type: 'action', action: 'sendEmail', params: { template: 'seeds-intro', to: { role: 'decision maker' } }, next: 'done' }, done: { type: 'exit' } } });
  await launch(journey, ['hooli']);
  await eventually(async () => ((await mailTo('gavin@hooli.example')).length === 1 ? true : undefined), { what: 'Gavin\'s email' });
  const messages = (await h.api('GET', '/v1/outbound-messages?accountKey=hooli')).body.items as { personId: string; payload: { journeyId?: string } }[];
  expect(messages.filter((m) => m.payload.journeyId === journey).map((m) => m.personId)).toEqual([await personId('gavin@hooli.example')]);
  expect(await mailTo('jian@hooli.example')).toHaveLength(0);
});
