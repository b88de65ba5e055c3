import { clickEventId, isScannerClick, openEventId, SCANNER_WINDOW_MS, trackEmailHtml, type TrackingToken } from './tracking';

const publicUrl = 'https://engine.example';
// A readable stand-in for the HMAC signature: the test sees what each token carries.
const sign = (t: TrackingToken) => `[${t.m}|${t.u ?? ''}]`;
const track = (html: string) => trackEmailHtml(html, { publicUrl, messageId: 'm1', sign });

describe('tracked links in a sent email', () => {
  test('every web link goes through the click tracker with the message and its real target', () => {
    const html = track('<p><a href="https://acme.example/pricing?plan=pro&amp;seats=5">Pricing</a> <a class="btn" href=\'http://acme.example/demo\'>Demo</a></p>');
    expect(html).toContain('<a href="https://engine.example/t/c/[m1|https://acme.example/pricing?plan=pro&seats=5]">Pricing</a>');
    expect(html).toContain('<a class="btn" href="https://engine.example/t/c/[m1|http://acme.example/demo]">Demo</a>');
  });

  test('mailto, anchors, relative links and the unsubscribe link stay as written', () => {
    const links = '<a href="mailto:sales@acme.example">Mail us</a><a href="#top">Top</a><a href="/pricing">Pricing</a><a href="https://engine.example/u/t0k3n">Unsubscribe</a><a name="x">x</a>';
    expect(track(links)).toBe(`${links}<img src="https://engine.example/t/o/[m1|]" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`);
  });

  test('text in another attribute is never taken for the link', () => {
    expect(track('<a title=" href=https://evil.example" href="https://acme.example/">x</a>')).toContain('<a title=" href=https://evil.example" href="https://engine.example/t/c/[m1|https://acme.example/]">x</a>');
  });

  test('the open pixel goes at the end of the body', () => {
    expect(track('<html><body><p>Hi</p></body></html>')).toBe('<html><body><p>Hi</p><img src="https://engine.example/t/o/[m1|]" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0"></body></html>');
  });
});

describe('clicks by link scanners', () => {
  const gateway = 'Mozilla/5.0 (compatible; Barracuda Sentinel)';
  const browser = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15';
  const sentAt = Date.parse('2025-03-03T10:00:00Z');

  test('a security gateway following the link as the email arrives is flagged', () => {
    expect(isScannerClick(gateway, sentAt, sentAt + 3000)).toBe(true);
    expect(isScannerClick(gateway, undefined, sentAt)).toBe(true);
  });

  test('a person clicking right away, or the gateway\'s user agent later, counts', () => {
    expect(isScannerClick(browser, sentAt, sentAt + 3000)).toBe(false);
    expect(isScannerClick(undefined, sentAt, sentAt + 3000)).toBe(false);
    expect(isScannerClick(gateway, sentAt, sentAt + SCANNER_WINDOW_MS)).toBe(false);
  });
});

describe('how often an open and a click count', () => {
  test('an email opened many times is one open', () => {
    expect(openEventId('m1')).toBe(openEventId('m1'));
    expect(openEventId('m1')).not.toBe(openEventId('m2'));
  });

  test('a double click is one click; the same link clicked again later, or another link, is another', () => {
    const t = Date.parse('2025-03-03T10:00:00Z');
    expect(clickEventId('m1', 'https://a.example/', t)).toBe(clickEventId('m1', 'https://a.example/', t + 1000));
    expect(clickEventId('m1', 'https://a.example/', t)).not.toBe(clickEventId('m1', 'https://a.example/', t + 3_600_000));
    expect(clickEventId('m1', 'https://a.example/', t)).not.toBe(clickEventId('m1', 'https://b.example/', t));
  });
});
