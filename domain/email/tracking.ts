import { createHash } from 'node:crypto';

/** What a tracking link carries (lib/email-tokens signs it): the message, and for a click its target. */
export interface TrackingToken {
  m: string;
  u?: string;
}

export interface TrackingLinks {
  /** PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  messageId: string;
  /** Signs a token; the signature is what keeps the redirect from being an open redirect. */
  sign(token: TrackingToken): string;
}

// An <a> start tag whose attribute values may hold '>', and one attribute of it in any quoting.
const ANCHOR = /<a\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi;
const ATTRIBUTE = /(\s+)([^\s"'>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+))?/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** An attribute value as the browser reads it (Liquid escapes merge fields, so a link's query has &amp;). */
function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The link's target when it is one to track: an absolute http(s) URL that is not already ours (unsubscribe, tracking). */
function trackableTarget(href: string, publicUrl: string): string | undefined {
  const url = decodeAttribute(href).trim();
  if (!/^https?:\/\//i.test(url) || url.startsWith(`${publicUrl}/u/`) || url.startsWith(`${publicUrl}/t/`)) return undefined;
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/**
 * The HTML of a sent email with its links and opens tracked: every http(s)
 * link goes through `PUBLIC_URL/t/c/<token>` (the token names the message and
 * the target), and a 1x1 pixel `PUBLIC_URL/t/o/<token>` ends the body.
 * mailto:, anchors, relative links and the unsubscribe link stay as written.
 */
export function trackEmailHtml(html: string, links: TrackingLinks): string {
  const tracked = html.replace(ANCHOR, (tag) =>
    // Attribute by attribute, so text inside another attribute (title=" href=…") is never taken for the link.
    tag.replace(ATTRIBUTE, (whole, space: string, name: string, equals?: string, value?: string) => {
      if (name.toLowerCase() !== 'href' || value === undefined) return whole;
      const target = trackableTarget(/^["']/.test(value) ? value.slice(1, -1) : value, links.publicUrl);
      return target ? `${space}${name}${equals}"${links.publicUrl}/t/c/${links.sign({ m: links.messageId, u: target })}"` : whole;
    }),
  );
  const pixel = `<img src="${links.publicUrl}/t/o/${links.sign({ m: links.messageId })}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  const end = tracked.toLowerCase().lastIndexOf('</body');
  return end < 0 ? tracked + pixel : tracked.slice(0, end) + pixel + tracked.slice(end);
}

/** How long after delivery a scanner's click is taken for the scanner's, not the person's. */
export const SCANNER_WINDOW_MS = 60_000;

// Mail security gateways and link previewers that follow every link of a message as it arrives.
const SCANNERS = /barracuda|mimecast|proofpoint|ironport|symantec|messagelabs|forcepoint|trend ?micro|sophos|fortinet|fortiguard|zscaler|bingpreview|safelinks|microsoft office existence discovery|google-safety|googleimageproxy|slackbot|python-requests|go-http-client|curl\/|wget\/|headlesschrome|phantomjs/i;

/**
 * Whether a click is a security scanner's rather than the person's: a known
 * scanner's user agent within the first SCANNER_WINDOW_MS after delivery.
 * A message not yet marked sent is just being delivered (a scanner may click
 * before the send is recorded).
 */
export function isScannerClick(userAgent: string | undefined, sentAtMs: number | undefined, nowMs: number): boolean {
  if (!userAgent || !SCANNERS.test(userAgent)) return false;
  return sentAtMs === undefined || nowMs - sentAtMs < SCANNER_WINDOW_MS;
}

/** Clicks of one link in one email within this window are one click (a double click, a reload). */
export const CLICK_DEDUPE_MS = 10 * 60_000;

const digest = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32);

/** The event id of an open: one per message, however often its pixel loads. */
export const openEventId = (messageId: string) => `email_open:${digest(messageId)}`;

/** The event id of a click: one per message, link and CLICK_DEDUPE_MS window. */
export const clickEventId = (messageId: string, url: string, nowMs: number) => `email_click:${digest(messageId, url, String(Math.floor(nowMs / CLICK_DEDUPE_MS)))}`;
