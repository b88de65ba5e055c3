import { fetch } from 'undici';
import { batchesByKey } from '../../domain/crm/batches';
import { httpFailure, networkFailure, rejected, succeeded, type Failure, type RecordResult } from '../../domain/crm/result';
import { inInputOrder, sendBatches } from '../crm/send-batches';

/** LinkedIn's limit of elements per DMP segment users request. */
const BATCH = 5000;
/** The Marketing API version we speak (LinkedIn requires one on every call). */
const LINKEDIN_VERSION = '202405';

export interface AudienceChange {
  messageId: string;
  action: 'ADD' | 'REMOVE';
  /** SHA-256 hex of the normalised email (domain/audience/hash.ts). */
  sha256Email: string;
}

export interface LinkedInSettings {
  baseUrl?: string;
  accessToken: string;
  timeoutMs?: number;
}

/**
 * A LinkedIn DMP segment kept in step with one of ours, through the segment
 * users batch API (LinkedIn has no official Node client). One result per
 * change, in input order; adapters classify and never retry.
 */
export function linkedInAudience(settings: LinkedInSettings) {
  if (!settings.accessToken) throw new Error('accessToken: required for a LinkedIn audience');
  const base = (settings.baseUrl ?? 'https://api.linkedin.com').replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? 30_000;

  async function post(segmentId: string, batch: AudienceChange[]): Promise<RecordResult[] | Failure> {
    let res;
    try {
      res = await fetch(`${base}/rest/dmpSegments/${encodeURIComponent(segmentId)}/users`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${settings.accessToken}`,
          'content-type': 'application/json',
          'linkedin-version': LINKEDIN_VERSION,
          'x-restli-protocol-version': '2.0.0',
          'x-restli-method': 'BATCH_CREATE',
        },
        body: JSON.stringify({ elements: batch.map((c) => ({ action: c.action, userIds: [{ idType: 'SHA256_EMAIL', idValue: c.sha256Email }] })) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return networkFailure('LinkedIn', (err as Error).name === 'TimeoutError' ? { code: 'ETIMEDOUT' } : err);
    }
    const body = (await res.json().catch(() => undefined)) as { message?: string; elements?: { status?: number; error?: { message?: string } }[] } | undefined;
    if (!res.ok) return httpFailure('LinkedIn', res.status, body?.message, res.headers.get('retry-after'));
    return batch.map((c, i) => {
      const element = body?.elements?.[i];
      if (element?.status && element.status < 300) return succeeded(c.messageId, `${c.action}:${c.sha256Email}`);
      if (element) return rejected(c.messageId, `LinkedIn refused it: ${element.error?.message ?? `status ${element.status}`}`);
      return { messageId: c.messageId, ok: false, permanent: false, error: 'LinkedIn answered without a result for this change' };
    });
  }

  return {
    /** `segmentUrn` is `urn:li:dmpSegment:<id>`. */
    async addOrRemove(segmentUrn: string, changes: AudienceChange[]): Promise<RecordResult[]> {
      const segmentId = /^urn:li:dmpSegment:(\d+)$/.exec(segmentUrn)?.[1];
      if (!segmentId) throw new Error('segmentUrn: must be urn:li:dmpSegment:<id>');
      // A member added then removed goes in two requests, in that order.
      const results = await sendBatches(batchesByKey(changes, BATCH, (c) => c.sha256Email), (batch) => post(segmentId, batch));
      return inInputOrder(changes, results);
    },
  };
}
