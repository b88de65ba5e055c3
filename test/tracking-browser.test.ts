import { chromium, type Browser } from 'playwright-core';
import { ensureChromium } from '../scripts/tools/chromium';
import { Harness, startHarness } from './support/harness';
import { timelineOf, writeKey } from './support/tracking';
import { segmentSnippet, website } from './support/website';

// The customer's website runs on another origin than the engine; the engine lets it in by TRACKING_CORS_ORIGINS.
let h: Harness;
let browser: Browser;
let site: Awaited<ReturnType<typeof website>>;
let key: string;
const SITE_TITLE = 'Acme Seeds pricing';

beforeAll(async () => {
  const executablePath = ensureChromium((line) => process.stderr.write(`${line}\n`));
  if (!executablePath) throw new Error("no Chromium: install Debian's chromium package or set CHROMIUM_PATH");
  h = await startHarness({ TRACKING_CORS_ORIGINS: '*' });
  key = await writeKey(h, 'acme website');
  site = await website({ title: SITE_TITLE, head: segmentSnippet(h.baseUrl, key, 'analytics.page("Pricing");') });
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await h?.close();
});

test("a visitor's page view, sent by the analytics.js snippet in a real browser, appears on her timeline", async () => {
  const page = await browser.newPage();
  const sent: { url: string; status: number }[] = [];
  page.on('response', (res) => {
    if (res.url().startsWith(h.baseUrl)) sent.push({ url: res.url().slice(h.baseUrl.length), status: res.status() });
  });
  // The page call's answer reaches the browser a moment after the engine stored it: wait for it rather than look.
  const pageCall = page.waitForResponse((res) => res.url() === `${h.baseUrl}/v1/p`, { timeout: 20_000 });
  await page.goto(`${site.url}/pricing`);
  const anonymousId = await page.waitForFunction(() => (globalThis as any).analytics?.user?.()?.anonymousId?.(), undefined, { timeout: 20_000 }).then((v) => v.jsonValue() as Promise<string>);
  // The visitor is known by her cookie's anonymous id only: ask One ID who that is.
  const { personId } = (await h.api('POST', '/v1/identify', { person: { anonymousId } })).body;
  const [visit] = await timelineOf(h, personId, 1);
  expect(visit).toMatchObject({ type: 'web_visit', properties: { name: 'Pricing', title: SITE_TITLE, path: '/pricing', url: `${site.url}/pricing` } });
  expect((await pageCall).status()).toBe(200);
  expect(sent).toEqual(expect.arrayContaining([{ url: `/analytics.js/v1/${key}/analytics.min.js`, status: 200 }, { url: `/v1/projects/${key}/settings`, status: 200 }]));
  await page.close();
});
