import { eventually, Harness, startHarness } from './support/harness';
import { journeyApi } from './support/journeys';
import { type CaughtEmail, mailDev } from './support/maildev';

let h: Harness;
const inbox = mailDev();
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
const GATEWAY = 'Mozilla/5.0 (compatible; Barracuda Sentinel; +https://barracuda.example)';
const PRICING = 'https://initech.example/pricing?plan=pro&seats=5';
const DEMO = 'https://initech.example/demo';

beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/subscription-topics/widgets', { name: 'Widget news' });
  await h.api('PUT', '/v1/subscription-topics/events', { name: 'Events' });
  expect(
    (
      await h.api('PUT', '/v1/email-templates/widgets-launch', {
        name: 'Widgets launch',
        kind: 'marketing',
        topic: 'widgets',
        subject: 'New widgets for {{ account.name }}',
        html: '<html><body><p>Hi {{ person.firstName }}, see <a href="https://initech.example/pricing?plan=pro&amp;seats=5">our prices</a>, <a class="cta" href="https://initech.example/demo">book a demo</a> or <a href="mailto:sales@initech.example">write to us</a>.</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>',
      })
    ).status,
  ).toBeLessThan(300);
  await h.api('PUT', '/v1/accounts/initech', { name: 'Initech', domain: 'initech.example' });
  await h.api('PUT', '/v1/people/pat@initech.example', { firstName: 'Pat', accountKey: 'initech' });
  await h.api('PUT', '/v1/people/quinn@initech.example', { firstName: 'Quinn', accountKey: 'initech', consent: { tracking: false } });
  await h.api('PUT', '/v1/people/rae@initech.example', { firstName: 'Rae', accountKey: 'initech' });
  const { publish, at, launch } = journeyApi(() => h);
  const journey = await publish({ name: 'Widgets launch to Initech', start: 'mail', nodes: { mail: { type: 'action', action: 'sendEmail', params: { template: 'widgets-launch', to: 'allContacts' }, next: 'done' }, done: { type: 'exit' } } });
  await launch(journey, ['initech']);
  await at(journey, 'initech', 'done', 'completed');
});
afterAll(() => h?.close());

const personId = async (email: string) => (await h.api('POST', '/v1/identify', { person: { email } })).body.personId as string;
const emailTo = (address: string) =>
  eventually(async () => {
    const caught = (await inbox.list()).filter((m) => m.to.some((t) => t.address === address)).at(-1);
    return caught && inbox.read(caught.id);
  }, { what: `the email to ${address}` });
const messageTo = async (address: string) => ((await h.api('GET', `/v1/outbound-messages?personId=${await personId(address)}`)).body.items as { id: string }[])[0].id;
/** A link of the email as the API serves it here (PUBLIC_URL names the production host). */
const local = (url: string) => `${h.baseUrl}${new URL(url).pathname}`;
const trackedLinks = (email: CaughtEmail) => [...email.html!.matchAll(/href="([^"]*\/t\/c\/[^"]+)"/g)].map((m) => m[1]);
const pixelOf = (email: CaughtEmail) => /<img src="([^"]*\/t\/o\/[^"]+)"/.exec(email.html!)?.[1];
const click = (url: string, userAgent = BROWSER) => fetch(local(url), { redirect: 'manual', headers: { 'user-agent': userAgent } });
const timeline = async (address: string, type: string) =>
  ((await h.api('GET', `/v1/people/${await personId(address)}/timeline?limit=100`)).body.items as { type: string; properties: Record<string, unknown> }[]).filter((i) => i.type === type);
/** The first tracked link is the prices, the second the demo (the email's order). */
const linksOf = async (address: string) => {
  const [pricing, demo] = trackedLinks(await emailTo(address));
  return { pricing, demo };
};

test('the links in a sent email go through the click tracker and an open pixel ends it; mailto and unsubscribe stay as written', async () => {
  const email = await emailTo('pat@initech.example');
  expect(trackedLinks(email)).toHaveLength(2);
  expect(email.html).not.toContain('href="https://initech.example/');
  expect(email.html).toContain('href="mailto:sales@initech.example"');
  const unsubscribeUrl = /<([^>]+)>/.exec(String(email.headers['list-unsubscribe']))![1];
  expect(email.html).toContain(`href="${unsubscribeUrl}"`);
  expect(trackedLinks(email)[0].startsWith(`${h.config.PUBLIC_URL}/t/c/`)).toBe(true);
  expect(pixelOf(email)?.startsWith(`${h.config.PUBLIC_URL}/t/o/`)).toBe(true);
  expect(email.html).toMatch(/<img src="[^"]+\/t\/o\/[^"]+"[^>]*><\/body>/);
});

test('a link scanner following a link as the email arrives gets the page but is flagged, not counted as a click', async () => {
  const { demo } = await linksOf('pat@initech.example');
  const scanned = await click(demo, GATEWAY);
  expect(scanned.status).toBe(302);
  expect(scanned.headers.get('location')).toBe(DEMO);
  expect(await timeline('pat@initech.example', 'email_click')).toEqual([]);
  const metrics = (await h.api('GET', '/metrics', undefined, null)).body as string;
  expect(metrics).toContain('email_tracking_total{kind="click",result="scanner"} 1');
});

test('clicking a link takes the reader to the page and puts the click on their timeline with the message and the link; a double click is one click', async () => {
  const { pricing, demo } = await linksOf('pat@initech.example');
  const messageId = await messageTo('pat@initech.example');
  const res = await click(pricing);
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe(PRICING);
  expect((await click(pricing)).status).toBe(302);
  expect((await click(demo)).headers.get('location')).toBe(DEMO);
  const clicks = await timeline('pat@initech.example', 'email_click');
  expect(clicks.map((c) => c.properties).sort((a, b) => String(a.url).localeCompare(String(b.url)))).toEqual([
    { messageId, url: DEMO },
    { messageId, url: PRICING },
  ]);
  // Applied like any event: the person's activity counts the clicks.
  await eventually(async () => ((await h.api('GET', `/v1/people/${await personId('pat@initech.example')}`)).body.activity?.byType?.email_click === 2 ? true : undefined), { what: 'the clicks applied' });
});

test('opening the email records one open however often the pixel loads', async () => {
  const pixel = pixelOf(await emailTo('pat@initech.example'))!;
  const messageId = await messageTo('pat@initech.example');
  for (let i = 0; i < 2; i++) {
    const res = await fetch(local(pixel), { headers: { 'user-agent': BROWSER } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
  }
  expect((await timeline('pat@initech.example', 'email_open')).map((o) => o.properties)).toEqual([{ messageId }]);
});

test('a person who said no to tracking gets the links as written and no pixel; one who says no after the send is not tracked either', async () => {
  const quinn = await emailTo('quinn@initech.example');
  expect(quinn.html).toContain('href="https://initech.example/pricing?plan=pro&amp;seats=5"');
  expect(trackedLinks(quinn)).toEqual([]);
  expect(pixelOf(quinn)).toBeUndefined();

  const rae = await emailTo('rae@initech.example');
  const [pricing] = trackedLinks(rae);
  await h.api('PUT', '/v1/people/rae@initech.example', { consent: { tracking: false } });
  const res = await click(pricing);
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe(PRICING);
  expect((await fetch(local(pixelOf(rae)!))).status).toBe(200);
  expect(await timeline('rae@initech.example', 'email_click')).toEqual([]);
  expect(await timeline('rae@initech.example', 'email_open')).toEqual([]);
});

test('a tampered link is refused and redirects nowhere; a tampered pixel still answers an image and records nothing', async () => {
  const { pricing } = await linksOf('pat@initech.example');
  const [body, signature] = new URL(pricing).pathname.split('/t/c/')[1].split('.');
  const elsewhere = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), u: 'https://evil.example/' })).toString('base64url');
  for (const token of [`${elsewhere}.${signature}`, `${body}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, 'not-a-token']) {
    const res = await fetch(`${h.baseUrl}/t/c/${token}`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(res.headers.get('location')).toBeNull();
  }
  const before = (await timeline('rae@initech.example', 'email_open')).length;
  const pixel = await fetch(`${h.baseUrl}/t/o/not-a-token`);
  expect(pixel.status).toBe(200);
  expect(pixel.headers.get('content-type')).toBe('image/gif');
  expect(await timeline('rae@initech.example', 'email_open')).toHaveLength(before);
});

test('an unsubscribe event unsubscribes the person from the topic it names, or from all marketing email', async () => {
  // The change's record and the suppression are written right after the consent: read until they show.
  const suppressionsOf = (personId: string) =>
    eventually(async () => {
      const items = (await h.api('GET', `/v1/suppressions?personId=${personId}`)).body.items;
      return items.length ? items : undefined;
    }, { what: `the suppressions of ${personId}` });
  const send = (eventId: string, email: string, properties?: Record<string, unknown>) =>
    h.api('POST', '/v1/events', { events: [{ eventId, type: 'unsubscribe', occurredAt: new Date().toISOString(), person: { email }, ...(properties ? { properties } : {}) }] });
  const [pat, rae] = [await personId('pat@initech.example'), await personId('rae@initech.example')];
  expect((await send('unsub-pat-1', 'pat@initech.example', { topic: 'widgets' })).body).toMatchObject({ accepted: 1 });
  expect((await send('unsub-rae-1', 'rae@initech.example')).body).toMatchObject({ accepted: 1 });

  const patConsent = await eventually(async () => {
    const c = (await h.api('GET', `/v1/people/${pat}/consent`)).body;
    return c.consent?.topics?.widgets === false && c.items.some((i: { ref?: string }) => i.ref === 'unsub-pat-1') ? c : undefined;
  }, { what: "Pat's consent for widgets" });
  expect(patConsent.consent.email).not.toBe(false);
  expect(patConsent.items[0]).toMatchObject({ source: 'event', ref: 'unsub-pat-1', changes: [{ field: 'topics.widgets', to: false }] });
  expect(await suppressionsOf(pat)).toMatchObject([{ scope: 'widgets', reason: 'unsubscribed' }]);

  const raeConsent = await eventually(async () => {
    const c = (await h.api('GET', `/v1/people/${rae}/consent`)).body;
    // Rae's earlier change (tracking, by the API) is already on record: wait for this one's.
    return c.consent?.email === false && c.items.some((i: { ref?: string }) => i.ref === 'unsub-rae-1') ? c : undefined;
  }, { what: "Rae's marketing consent" });
  expect(raeConsent.items[0]).toMatchObject({ source: 'event', ref: 'unsub-rae-1', changes: [{ field: 'email', to: false }] });
  expect(await suppressionsOf(rae)).toMatchObject([{ scope: 'all', reason: 'unsubscribed' }]);
  expect((await h.api('GET', `/v1/people/${rae}/timeline`)).body.items).toContainEqual(expect.objectContaining({ eventId: 'unsub-rae-1', type: 'unsubscribe' }));
});
