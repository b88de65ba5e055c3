import { Json, timeField } from './message';

/**
 * When the message happened, on the server's clock (the spec's clock-skew
 * rule): the client's own time, moved by how far the client's clock was off
 * when it sent (receivedAt - sentAt). RudderStack names the client's time
 * `originalTimestamp` and sends `sentAt` per message; analytics-node sends
 * `timestamp` and one `sentAt` for the batch. No client time: the receive time.
 */
export function occurredAt(m: Json, batchSentAt: string | undefined, receivedAt: number): string {
  const original = timeField(m, 'originalTimestamp');
  const client = original ?? timeField(m, 'timestamp');
  if (client === undefined) return new Date(receivedAt).toISOString();
  const sentAt = timeField(m, 'sentAt') ?? timeField({ sentAt: batchSentAt }, 'sentAt', 'sentAt');
  const skew = sentAt === undefined ? 0 : receivedAt - sentAt;
  return new Date(client + skew).toISOString();
}
