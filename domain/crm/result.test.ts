import { batchesByKey } from './batches';
import { httpFailure, networkFailure, parseRetryAfter } from './result';
import { classifySalesforceFailure } from './salesforce-failure';

describe('whether a record the CRM did not take is sent again', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  test('a rate limit waits as long as the CRM asks, in seconds or as a date', () => {
    expect(httpFailure('HubSpot', 429, 'slow down', '7', now)).toEqual({ permanent: false, error: 'HubSpot answered 429: slow down', retryAfterMs: 7000 });
    expect(httpFailure('HubSpot', 429, undefined, 'Thu, 01 Jan 2026 00:00:30 GMT', now).retryAfterMs).toBe(30_000);
    expect(httpFailure('HubSpot', 429, undefined, undefined, now)).toEqual({ permanent: false, error: 'HubSpot answered 429' });
  });

  test('a CRM that is down or slow is tried again; so is a refused token, which is the connection\'s to fix', () => {
    for (const status of [500, 502, 503, 504, 408, 401]) expect(httpFailure('HubSpot', status).permanent).toBe(false);
  });

  test('any other refusal is final', () => {
    for (const status of [400, 403, 404, 409, 422]) expect(httpFailure('HubSpot', status).permanent).toBe(true);
  });

  test('no answer at all is tried again, naming only the error code', () => {
    expect(networkFailure('HubSpot', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toEqual({ permanent: false, error: 'HubSpot could not be reached: ECONNREFUSED' });
  });

  test('a long CRM message is cut, not stored whole', () => {
    expect(httpFailure('HubSpot', 400, 'x'.repeat(2000)).error.length).toBe(500);
  });

  test('Retry-After that cannot be read is ignored', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 2025 00:00:00 GMT', now)).toBe(0);
  });

  test('Salesforce: its API limit, an unavailable org and a locked row are tried again; a validation error is final', () => {
    expect(classifySalesforceFailure({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }).permanent).toBe(false);
    expect(classifySalesforceFailure({ errorCode: 'SERVER_UNAVAILABLE', message: 'x' }).permanent).toBe(false);
    expect(classifySalesforceFailure({ errorCode: 'ERROR_HTTP_502', message: '<html>' })).toEqual({ permanent: false, error: 'Salesforce answered 502' });
    expect(classifySalesforceFailure({ name: 'FetchError', code: 'ECONNRESET' })).toEqual({ permanent: false, error: 'Salesforce could not be reached: ECONNRESET' });
    expect(classifySalesforceFailure({ errorCode: 'JSON_PARSER_ERROR', message: 'Unexpected character' })).toEqual({ permanent: true, error: 'Salesforce answered JSON_PARSER_ERROR: Unexpected character' });
  });
});

describe('how records are split into requests', () => {
  test('at most the CRM\'s batch size per request', () => {
    expect(batchesByKey(Array.from({ length: 250 }, (_, i) => i), 100, String).map((b) => b.length)).toEqual([100, 100, 50]);
  });

  test('the same person twice goes in two requests, the later change last', () => {
    const batches = batchesByKey([{ k: 'a', v: 1 }, { k: 'b', v: 1 }, { k: 'a', v: 2 }], 100, (r) => r.k);
    expect(batches).toEqual([[{ k: 'a', v: 1 }, { k: 'b', v: 1 }], [{ k: 'a', v: 2 }]]);
  });
});
