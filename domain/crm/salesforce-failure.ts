import { httpFailure, networkFailure, type Failure } from './result';

/**
 * Salesforce error codes that may go differently later: the org busy or down,
 * its API limit reached (403 REQUEST_LIMIT_EXCEEDED), a row locked by another
 * transaction, and a refused session (the connection's to fix, not the record's).
 */
const TRANSIENT = new Set(['SERVER_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED', 'UNABLE_TO_LOCK_ROW', 'UNKNOWN_EXCEPTION', 'INVALID_SESSION_ID']);

/** The shape of what jsforce 3.10.8 rejects with: HttpApiError, or node-fetch's FetchError for no answer. */
export interface SalesforceError {
  name?: string;
  /** HttpApiError: the body's errorCode, or `ERROR_HTTP_<status>` when the body has none. */
  errorCode?: string;
  message?: string;
  /** FetchError: the socket error's code. */
  code?: string;
  /** HttpApiError MULTIPLE_API_ERRORS: every error of the body. */
  data?: unknown;
}

/**
 * jsforce keeps neither the status nor the headers of a failed answer (so no
 * Retry-After): the error code is what there is to classify.
 */
export function classifySalesforceFailure(err: SalesforceError): Failure {
  if (!err.errorCode) return networkFailure('Salesforce', err);
  const status = /^ERROR_HTTP_(\d{3})$/.exec(err.errorCode)?.[1];
  if (status) return httpFailure('Salesforce', Number(status));
  const codes = err.errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(err.data) ? err.data.map((e: { errorCode?: string }) => e.errorCode ?? '') : [err.errorCode];
  return { permanent: !codes.some((c) => TRANSIENT.has(c)), error: `Salesforce answered ${codes.join(', ')}: ${err.message ?? ''}`.slice(0, 500) };
}
