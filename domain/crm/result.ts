/**
 * The outcome of one record sent to a CRM or an ad platform. A permanent
 * failure gets the same answer if sent again: the record is dead. A transient
 * one may go differently later: the caller retries it, not before
 * `retryAfterMs` when the provider said how long to wait.
 */
export type RecordResult =
  | { messageId: string; ok: true; providerId: string }
  | { messageId: string; ok: false; permanent: boolean; error: string; retryAfterMs?: number };

export interface Failure {
  permanent: boolean;
  error: string;
  retryAfterMs?: number;
}

/** Enough of a provider's message to act on; the rest is noise in a stored result. */
const MAX_MESSAGE = 500;

export function succeeded(messageId: string, providerId: string): RecordResult {
  return { messageId, ok: true, providerId };
}

export function failed(messageId: string, failure: Failure): RecordResult {
  return { messageId, ok: false, ...failure };
}

/** The provider refused this one record (a 207 `errors` entry, a `success:false` entry): sending it again changes nothing. */
export function rejected(messageId: string, providerMessage: string): RecordResult {
  return failed(messageId, { permanent: true, error: clip(providerMessage) });
}

/** A failure of the whole request becomes the result of each of its records. */
export function failEach(records: readonly { messageId: string }[], failure: Failure): RecordResult[] {
  return records.map((r) => failed(r.messageId, failure));
}

/**
 * An HTTP answer that is not a success. 429 waits as long as Retry-After says;
 * 408, 5xx and a refused token (401: the connection's to fix, not the record's —
 * as with SMTP authentication) are transient; any other 4xx is permanent.
 */
export function httpFailure(provider: string, status: number, providerMessage?: string, retryAfter?: string | null, now = Date.now()): Failure {
  const error = clip(`${provider} answered ${status}${providerMessage ? `: ${providerMessage}` : ''}`);
  const transient = status === 429 || status === 408 || status === 401 || status >= 500;
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter, now) : undefined;
  return retryAfterMs === undefined ? { permanent: !transient, error } : { permanent: false, error, retryAfterMs };
}

/** No answer at all: refused, reset, timed out. Always worth another try; the message names only the error's code. */
export function networkFailure(provider: string, err: unknown): Failure {
  const e = err as { code?: string; cause?: { code?: string }; name?: string };
  return { permanent: false, error: `${provider} could not be reached: ${e?.cause?.code ?? e?.code ?? e?.name ?? 'unknown error'}` };
}

/** Retry-After in delta-seconds or as an HTTP date (RFC 9110 §10.2.3), in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const clip = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text);
