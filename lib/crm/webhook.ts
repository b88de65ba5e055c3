import { createHash } from 'node:crypto';
import type { ApplicationFailure } from '@temporalio/common';
import { postWebhook } from '../../activities/webhook';
import { batchesByKey } from '../../domain/crm/batches';
import { succeeded, type Failure, type RecordResult } from '../../domain/crm/result';
import type { CrmAdapter } from './adapter';
import { sendBatches } from './send-batches';

/** Records per POST: a receiver's request stays small. */
const BATCH = 100;

export interface WebhookSettings {
  url: string;
  /** Signs every body: `X-Signature: sha256=<HMAC-SHA256 hex of the body>`. */
  secret: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

/**
 * A generic CRM: our records as they are, one signed JSON POST per batch
 * (`{ kind, records }`, each record with its messageId) through the journey
 * webhook client (same signature, address checks and timeout). Its
 * `Idempotency-Key` is a digest of the batch's messageIds, the same on every
 * retry of that batch; a 2xx accepts every record of the batch.
 */
export function webhookAdapter(settings: WebhookSettings): CrmAdapter {
  const send = (kind: string) => async <T extends { messageId: string }>(records: T[]): Promise<RecordResult[]> =>
    sendBatches(batchesByKey(records, BATCH, (r) => r.messageId), async (batch) => {
      try {
        await postWebhook({
          url: settings.url,
          timeout: `PT${settings.timeoutMs / 1000}S`,
          idempotencyKey: createHash('sha256').update(batch.map((r) => r.messageId).join('\n')).digest('hex'),
          payload: { kind, records: batch },
          secret: settings.secret,
          allowPrivate: settings.allowPrivate,
        });
      } catch (err) {
        return webhookFailure(err as ApplicationFailure) satisfies Failure;
      }
      return batch.map((r) => succeeded(r.messageId, r.messageId));
    });
  return { upsertPeople: send('person'), upsertCompanies: send('company'), associate: send('association'), createTasks: send('task') };
}

/** postWebhook throws ApplicationFailures: non-retryable ones (4xx, refused addresses) are permanent; it keeps no Retry-After. */
function webhookFailure(err: ApplicationFailure): Failure {
  return { permanent: err.nonRetryable === true, error: err.message };
}

