import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { eventually, Harness, startHarness } from './support/harness';
import { journeyApi } from './support/journeys';
import { accountWithActivity, personByEmail, recordingProxy, timelineOf, writeKey } from './support/tracking';

let h: Harness;
let key: string;
beforeAll(async () => {
  h = await startHarness();
  key = await writeKey(h);
});
afterAll(() => h?.close());

/** The Segment SDK as a server would run it, pointed at us (or a proxy in front of us). */
function segment(host = h.baseUrl, opts: Partial<ConstructorParameters<typeof Analytics>[0]> = {}) {
  return new Analytics({ writeKey: key, host, flushInterval: 200, maxRetries: 3, ...opts });
}

/** RudderStack's Node SDK, pointed at us: gzipped batches, flushed on demand. */
function rudder(host = h.baseUrl, flushAt = 20) {
  return new RudderAnalytics(key, { dataPlaneUrl: host, flushAt, flushInterval: 200, logLevel: 'error' });
}

const { publish, at, launch } = journeyApi(() => h);

describe('event sources send the Segment tracking spec unchanged', () => {
  test('identify, group, track and page from the Segment SDK reach the person and her account', async () => {
    const analytics = segment();
    analytics.identify({ userId: 'u-ann', traits: { email: 'ann@acme-seeds.example', firstName: 'Ann', lastName: 'Lee', title: 'CTO', phone: '+31 20 555 0100' } });
    analytics.group({ userId: 'u-ann', groupId: 'acme-seeds', traits: { name: 'Acme Seeds', industry: 'Agriculture', employees: 5000, website: 'https://www.acme-seeds.example', plan: 'enterprise' } });
    analytics.track({ userId: 'u-ann', event: 'Whitepaper Downloaded', properties: { asset: 'AI-driven seeds' }, context: { campaign: { source: 'linkedin', name: 'fall-launch', medium: 'social', term: 'seeds', content: 'banner' } } });
    analytics.page({ userId: 'u-ann', name: 'Pricing', properties: { url: 'https://acme-seeds.example/pricing', path: '/pricing', title: 'Pricing' } });
    await analytics.closeAndFlush();

    const account = await accountWithActivity(h, 'acme-seeds', 2);
    expect(account.attributes).toMatchObject({ name: 'Acme Seeds', industry: 'Agriculture', employees: 5000, domain: 'acme-seeds.example', plan: 'enterprise' });
    expect(account.activity.byType).toEqual({ 'Whitepaper Downloaded': 1, web_visit: 1 });

    const ann = await personByEmail(h, 'ann@acme-seeds.example');
    expect(ann.existed).toBe(true);
    const profile = (await h.api('GET', `/v1/people/${ann.personId}`)).body;
    expect(profile.accountKey).toBe('acme-seeds');
    expect(profile.attributes).toMatchObject({ firstName: 'Ann', lastName: 'Lee', jobTitle: 'CTO', phone: '+31 20 555 0100' });
    expect(profile.identities).toEqual(expect.arrayContaining([{ kind: 'userId', value: 'u-ann' }, { kind: 'email', value: 'ann@acme-seeds.example' }]));
    const timeline = await timelineOf(h, ann.personId, 2);
    const download = timeline.find((e: { type: string }) => e.type === 'Whitepaper Downloaded');
    expect(download.properties).toMatchObject({ asset: 'AI-driven seeds', utm_source: 'linkedin', utm_campaign: 'fall-launch' });
    const visit = timeline.find((e: { type: string }) => e.type === 'web_visit');
    expect(visit.properties).toMatchObject({ url: 'https://acme-seeds.example/pricing', path: '/pricing', title: 'Pricing', name: 'Pricing' });
  });

  test('an anonymous page view joins the known person once she identifies, in the same batch', async () => {
    await h.api('PUT', '/v1/accounts/globex-labs', { name: 'Globex Labs', domain: 'globex-labs.example' });
    const bob = await h.api('PUT', '/v1/people/bob@globex-labs.example', { firstName: 'Bob' });
    const analytics = segment(h.baseUrl, { flushAt: 10 });
    analytics.page({ anonymousId: 'cookie-bob', name: 'Product', properties: { url: 'https://globex-labs.example/product', path: '/product' } });
    analytics.identify({ anonymousId: 'cookie-bob', userId: 'u-bob', traits: { email: 'bob@globex-labs.example', title: 'VP Research' } });
    await analytics.closeAndFlush();

    const [visit] = await timelineOf(h, bob.body.personId, 1);
    expect(visit).toMatchObject({ type: 'web_visit', accountKey: 'globex-labs', properties: { path: '/product' } });
    const profile = (await h.api('GET', `/v1/people/${bob.body.personId}`)).body;
    expect(profile.attributes.jobTitle).toBe('VP Research');
    expect(profile.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['anonymousId', 'email', 'userId']);
  });

  test('an anonymous visitor who identifies with a new email becomes that lead, with her visit', async () => {
    const analytics = segment();
    analytics.page({ anonymousId: 'cookie-dora', name: 'Demo', properties: { path: '/demo' }, context: { groupId: 'globex-labs' } });
    await analytics.closeAndFlush();
    const later = segment();
    later.identify({ anonymousId: 'cookie-dora', traits: { email: 'dora@globex-labs.example', firstName: 'Dora' } });
    await later.closeAndFlush();
    const dora = await personByEmail(h, 'dora@globex-labs.example');
    expect(dora.existed).toBe(true);
    const [visit] = await timelineOf(h, dora.personId, 1);
    expect(visit).toMatchObject({ type: 'web_visit', properties: { path: '/demo' } });
    expect((await h.api('GET', `/v1/people/${dora.personId}`)).body.attributes).toMatchObject({ email: 'dora@globex-labs.example', firstName: 'Dora' });
  });

  test('alias merges the previous id into the user id, with its history', async () => {
    const client = rudder();
    client.group({ userId: 'trial-42', groupId: 'initech-labs', traits: { name: 'Initech Labs' } });
    client.track({ userId: 'trial-42', event: 'Trial Started' });
    await client.flush();
    client.identify({ userId: 'carol-1', traits: { email: 'carol@initech-labs.example' } });
    client.alias({ previousId: 'trial-42', userId: 'carol-1' });
    await client.flush();

    const carol = await personByEmail(h, 'carol@initech-labs.example');
    const [trial] = await timelineOf(h, carol.personId, 1);
    expect(trial.type).toBe('Trial Started');
    const profile = (await h.api('GET', `/v1/people/${carol.personId}`)).body;
    expect(profile.identities).toEqual(expect.arrayContaining([{ kind: 'userId', value: 'trial-42' }, { kind: 'userId', value: 'carol-1' }]));
    expect(profile.accountKey).toBe('initech-labs');
  });

  test('a batch sent again after its answer was lost counts once', async () => {
    const proxy = await recordingProxy(h.baseUrl, { loseFirstAnswers: 1 });
    try {
      const analytics = segment(proxy.url, { flushAt: 5 });
      for (let i = 0; i < 5; i++) analytics.track({ userId: `u-hooli-${i}`, event: 'Webinar Attended', context: { groupId: 'hooli-ai' } });
      await analytics.closeAndFlush();
      expect(proxy.seen.map((s) => s.answered)).toEqual([503, 200]);
      const ids = proxy.seen.map((s) => s.json.batch.map((m: { messageId: string }) => m.messageId));
      expect(ids[1]).toEqual(ids[0]);
      await accountWithActivity(h, 'hooli-ai', 5);
      // Time for a wrongly counted retry to show, then nothing moved.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await h.api('GET', '/v1/accounts/hooli-ai')).body.activity.total).toBe(5);
    } finally {
      await proxy.close();
    }
  });

  test('a gzipped RudderStack batch of 25 is applied exactly once', async () => {
    const proxy = await recordingProxy(h.baseUrl);
    try {
      const client = rudder(proxy.url, 25);
      // The SDK sends its very first message alone; the 25 then go as one batch.
      client.group({ userId: 'u-umbrella-0', groupId: 'umbrella-bio', traits: { name: 'Umbrella Bio' } });
      await client.flush();
      proxy.seen.length = 0;
      for (let i = 0; i < 25; i++) client.track({ userId: `u-umbrella-${i % 5}`, event: 'Pricing Viewed', properties: { plan: i % 2 ? 'pro' : 'team' }, context: { groupId: 'umbrella-bio' } });
      // The 25th message fills the batch and sends it.
      await eventually(async () => (proxy.seen.length ? true : undefined), { what: 'the batch to arrive' });
      await client.flush();
      expect(proxy.seen).toHaveLength(1);
      expect(proxy.seen[0].headers['content-encoding']).toBe('gzip');
      expect(proxy.seen[0].headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
      expect(proxy.seen[0].json.batch).toHaveLength(25);
      expect(proxy.seen[0].json.batch[0]).toHaveProperty('originalTimestamp');
      const account = await accountWithActivity(h, 'umbrella-bio', 25);
      expect(account.activity.byType).toEqual({ 'Pricing Viewed': 25 });
      await new Promise((r) => setTimeout(r, 1500));
      expect((await h.api('GET', '/v1/accounts/umbrella-bio')).body.activity.total).toBe(25);
    } finally {
      await proxy.close();
    }
  });
});

describe('custom event names', () => {
  test('a new name is registered on first sight, listed with its count, and usable in a segment and a journey waitForEvent', async () => {
    const analytics = segment();
    analytics.track({ userId: 'u-dana', event: 'Demo Video Watched', context: { groupId: 'stark-grid' } });
    await analytics.closeAndFlush();
    await accountWithActivity(h, 'stark-grid', 1);
    const listed = await eventually(async () => {
      const items = (await h.api('GET', '/v1/event-types?limit=500')).body.items;
      return items.find((t: { name: string; count: number }) => t.name === 'Demo Video Watched' && t.count === 1);
    }, { what: 'the new name with its count' });
    expect(listed).toMatchObject({ builtIn: false, means: null, firstSeenAt: expect.any(String), lastSeenAt: expect.any(String) });

    const segmentRes = await h.api('POST', '/v1/segments', { name: 'Watched the demo video', level: 'person', definition: { performed: 'Demo Video Watched', within: 'P30D' } });
    expect(segmentRes.status).toBe(201);
    await eventually(async () => ((await h.api('GET', `/v1/segments/${segmentRes.body.id}/members`)).body.items?.length === 1 ? true : undefined), { what: 'the viewer to be a member' });
    const typo = await h.api('POST', '/v1/segments/preview', { level: 'person', definition: { performed: 'Demo Vidoe Watched', within: 'P30D' } });
    expect(typo.status).toBe(400);
    expect(typo.body.error.details[0].path).toBe('definition.performed');

    const journey = await publish({
      name: 'Demo follow-up',
      start: 'settle',
      nodes: {
        // Entry rules and waits read the published journeys at most once a second: the wait starts after that.
        settle: { type: 'wait', duration: 'PT1S', next: 'watch' },
        watch: { type: 'waitForEvent', event: 'Demo Video Watched', timeout: 'PT2M', next: 'sales', onTimeout: 'done' },
        sales: { type: 'action', action: 'setAttribute', params: { name: 'watchedDemo', value: true }, next: 'done' },
        done: { type: 'exit' },
      },
    });
    await launch(journey, ['stark-grid']);
    await at(journey, 'stark-grid', 'watch');
    const again = segment();
    again.track({ userId: 'u-dana', event: 'Demo Video Watched', context: { groupId: 'stark-grid' } });
    await again.closeAndFlush();
    const done = await at(journey, 'stark-grid', 'done', 'completed');
    expect(done.history[1].outcome).toMatch(/^Demo Video Watched /);
  });

  test('a name mapped to a built-in type scores as that type', async () => {
    const mapped = await h.api('PUT', `/v1/event-types/${encodeURIComponent('Demo Requested')}`, { description: 'the demo form on the website', means: 'meeting_booked' });
    expect(mapped.status).toBe(201);
    expect(mapped.body).toMatchObject({ name: 'Demo Requested', means: 'meeting_booked', builtIn: false });
    expect((await h.api('PUT', '/v1/scoring-model', { behavior: [{ id: 'meeting', event: 'meeting_booked', within: 'P30D', points: 50 }], qualifyAt: 40 })).status).toBe(200);
    const client = rudder();
    client.identify({ userId: 'u-erin', traits: { email: 'erin@wayne-agro.example' } });
    client.track({ userId: 'u-erin', event: 'Demo Requested' });
    await client.flush();
    const erin = await personByEmail(h, 'erin@wayne-agro.example');
    const score = await eventually(async () => {
      const s = (await h.api('GET', `/v1/people/${erin.personId}/score`)).body;
      return s.total === 50 ? s : undefined;
    }, { what: "Erin's demo request to score as a meeting" });
    expect(score).toMatchObject({ status: 'qualified', breakdown: [{ ruleId: 'meeting', points: 50 }] });
    expect(score.breakdown[0].reason).toMatch(/meeting_booked/);
  });
});
