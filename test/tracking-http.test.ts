import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { eventually, Harness, startHarness } from './support/harness';
import { accountWithActivity, personByEmail, timelineOf, writeKey } from './support/tracking';

const SITE = 'https://www.acme-site.example';
let h: Harness;
let key: string;
beforeAll(async () => {
  h = await startHarness({ TRACKING_CORS_ORIGINS: `${SITE},https://app.acme-site.example`, TRACKING_MAX_IN_FLIGHT: '1' });
  key = await writeKey(h);
});
afterAll(() => h?.close());

const basic = (k: string) => `Basic ${Buffer.from(`${k}:`).toString('base64')}`;

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: { authorization: basic(key), 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('what the tracking routes take and refuse', () => {
  test("RudderStack's gzip labelled as a form and a browser's text/plain beacon with the key in the body are both read", async () => {
    const zipped = gzipSync(JSON.stringify({ batch: [{ type: 'track', event: 'Signed Up', userId: 'u-zip', messageId: 'zip-1', context: { groupId: 'zip-co' } }], sentAt: new Date().toISOString() }));
    expect((await post('/v1/batch', zipped, { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' })).body).toEqual({ success: true });
    const beacon = await fetch(`${h.baseUrl}/v1/t`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ event: 'Signed Up', anonymousId: 'cookie-zip', writeKey: key, messageId: 'zip-2', context: { groupId: 'zip-co' } }) });
    expect(beacon.status).toBe(200);
    await accountWithActivity(h, 'zip-co', 2);
  });

  test('what can never be applied is a 400 naming the field; in a batch it is listed and the rest is taken', async () => {
    const noName = await post('/v1/track', JSON.stringify({ userId: 'u-1' }));
    expect(noName.status).toBe(400);
    expect(noName.body.error.details).toEqual([{ path: 'event', message: 'a track message needs its event name' }]);
    expect((await post('/v1/batch', '{"batch": [')).status).toBe(400);
    expect((await post('/v1/batch', JSON.stringify({ sentAt: 'now' }))).body.error.details[0].path).toBe('batch');
    expect((await post('/v1/batch', 'x', { 'content-encoding': 'compress' })).body.error.details[0].path).toBe('Content-Encoding');
    const mixed = await post('/v1/batch', JSON.stringify({ batch: [{ type: 'track', event: 'Ok', userId: 'u-mixed', messageId: 'mixed-1' }, { type: 'track', userId: 'u-mixed', messageId: 'mixed-2' }] }));
    expect(mixed.status).toBe(200);
    expect(mixed.body).toEqual({ success: true, rejected: [{ index: 1, messageId: 'mixed-2', path: 'event', message: 'a track message needs its event name' }] });
  });

  test('a batch of almost 1 MB is taken; one over 1 MiB once unzipped is refused, however small it was sent', async () => {
    const padding = 'x'.repeat(3000);
    const big = { batch: Array.from({ length: 320 }, (_, i) => ({ type: 'track', event: 'Big', userId: `u-big-${i % 7}`, messageId: `big-${i}`, properties: { padding }, context: { groupId: 'big-co' } })) };
    const text = JSON.stringify(big);
    expect(text.length).toBeGreaterThan(960_000);
    expect(text.length).toBeLessThan(1024 * 1024);
    expect((await post('/v1/batch', text)).status).toBe(200);
    await accountWithActivity(h, 'big-co', 320);
    const bomb = gzipSync(JSON.stringify({ batch: [{ type: 'track', event: 'Bomb', userId: 'u', properties: { p: 'y'.repeat(1_100_000) } }] }));
    expect(bomb.length).toBeLessThan(20_000);
    const refused = await post('/v1/batch', bomb, { 'content-encoding': 'gzip' });
    expect(refused.status).toBe(413);
  });

  test("a client clock an hour fast is corrected by sentAt against the time we received it", async () => {
    const fast = new Date(Date.now() + 3_600_000);
    const happened = new Date(fast.getTime() - 60_000).toISOString();
    await post('/v1/batch', JSON.stringify({ batch: [{ type: 'identify', userId: 'u-clock', traits: { email: 'clock@skew.example' } }, { type: 'track', event: 'Clock Checked', userId: 'u-clock', messageId: 'clock-1', timestamp: happened }], sentAt: fast.toISOString() }));
    const { personId } = await personByEmail(h, 'clock@skew.example');
    const [event] = await timelineOf(h, personId, 1);
    expect(Math.abs(Date.parse(event.occurredAt) - (Date.now() - 60_000))).toBeLessThan(10_000);
  });

  test('ids sent as numbers, as some SDKs send them, are taken as their text, and the document says so', async () => {
    expect((await post('/v1/page', JSON.stringify({ anonymousId: 0, userId: 4711, messageId: 815, name: 'Pricing', context: { groupId: 'numbered-co' } }))).body).toEqual({ success: true });
    await accountWithActivity(h, 'numbered-co', 1);
    const { components } = (await h.api('GET', '/openapi.json', undefined, null)).body;
    for (const field of ['userId', 'anonymousId', 'groupId', 'previousId', 'messageId']) {
      expect(components.schemas.SegmentMessage.properties[field].anyOf.map((s: { type: string }) => s.type)).toEqual(['string', 'number']);
    }
  });

  test("a key with a NUL character in a batch's envelope is a 400 naming it, though the batch's other keys are ignored", async () => {
    const res = await post('/v1/batch', JSON.stringify({ batch: [{ type: 'track', event: 'Nul Key', userId: 'u-nul-key', messageId: 'nul-key-1' }], ['extra\u0000']: '' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: '', message: 'key "extra\\u0000": text may not contain NUL characters' }]);
    expect((await post('/v1/batch', JSON.stringify({ batch: [], ignored: 'as SDKs add' }))).status).toBe(200);
  });

  test('POST /v1/identify with a Bearer key is still the native identify', async () => {
    const res = await h.api('POST', '/v1/identify', { person: { email: 'native@identify.example', anonymousId: 'cookie-native' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ personId: expect.any(String), merged: [] });
  });
});

describe('who may send, and from where', () => {
  test('no write key or an unknown one is a 401; a write key reads nothing', async () => {
    const anonymous = await fetch(`${h.baseUrl}/v1/t`, { method: 'POST', body: JSON.stringify({ event: 'x', userId: 'u' }) });
    expect(anonymous.status).toBe(401);
    expect((await post('/v1/t', JSON.stringify({ event: 'x', userId: 'u' }), { authorization: basic('not-a-key') })).status).toBe(401);
    for (const path of ['/v1/accounts/zip-co', '/v1/event-types', '/v1/segments', '/v1/audit-log']) {
      expect([path, (await h.api('GET', path, undefined, key)).status]).toEqual([path, 403]);
    }
  });

  test("the browser's preflight is answered for the configured origins only, and only on the tracking routes", async () => {
    const preflight = (path: string, origin: string) =>
      fetch(`${h.baseUrl}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-retry-count' } });
    const ok = await preflight('/v1/t', SITE);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect((await preflight('/v1/batch', 'https://elsewhere.example')).status).toBe(403);
    const refused = await fetch(`${h.baseUrl}/v1/t`, { method: 'POST', headers: { origin: 'https://elsewhere.example', 'content-type': 'text/plain' }, body: JSON.stringify({ event: 'x', anonymousId: 'a', writeKey: key }) });
    expect(refused.status).toBe(403);
    expect((await preflight('/v1/events', SITE)).headers.get('access-control-allow-origin')).toBeNull();
  });

  test('too many requests at once is a 429 with Retry-After, which the SDKs wait for; never a 5xx', async () => {
    // One request holds the only place: its body is still arriving. (Should a probe come first, the holder is the one refused: start again.)
    const hold = async () => {
      const held = request(`${h.baseUrl}/v1/batch`, { method: 'POST', headers: { authorization: basic(key), 'content-type': 'application/json', 'content-length': '1000' } });
      held.on('error', () => {});
      const refused = new Promise<boolean>((resolve) => held.on('response', () => resolve(true)));
      held.write('{"batch": [');
      const settled = await Promise.race([refused, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300))]);
      return { held, refused: settled };
    };
    let holding = await hold();
    for (let tries = 0; holding.refused && tries < 5; tries++) holding = await hold();
    const held = holding.held;
    const answer = await post('/v1/t', JSON.stringify({ event: 'Busy', userId: 'u-busy', messageId: 'busy-1' }));
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answer.body.error.code).toBe('rate_limited');
    held.destroy();
    await eventually(async () => ((await post('/v1/t', JSON.stringify({ event: 'Busy', userId: 'u-busy', messageId: 'busy-1' }))).status === 200 ? true : undefined), { what: 'the place to be free again' });
  });
});
