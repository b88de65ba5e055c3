import { failEach, type Failure, type RecordResult } from '../../domain/crm/result';

/**
 * Sends batches one after another. A batch answers per-record results, or a
 * Failure of the whole request. After a transient whole-request failure (rate
 * limit, CRM down, no answer) the remaining batches are not sent and share it:
 * they would meet the same answer, and the caller retries them all together.
 */
export async function sendBatches<T extends { messageId: string }>(batches: T[][], send: (batch: T[]) => Promise<RecordResult[] | Failure>): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  let stopped: Failure | undefined;
  for (const batch of batches) {
    const outcome = stopped ?? (await send(batch));
    if (Array.isArray(outcome)) {
      results.push(...outcome);
      continue;
    }
    results.push(...failEach(batch, outcome));
    if (!outcome.permanent) stopped = outcome;
  }
  return results;
}

/** Results in the order of the input records (batching may have reordered them). */
export function inInputOrder(records: readonly { messageId: string }[], results: RecordResult[]): RecordResult[] {
  const byId = new Map(results.map((r) => [r.messageId, r]));
  return records.map((r) => byId.get(r.messageId)!);
}
