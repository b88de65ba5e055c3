import { destinationOf, type Lane } from '../domain/delivery/lanes';
import type { BatchResult, DeliveryRetry } from '../domain/delivery/queues';
import { linkedInAudience, type AudienceChange } from '../lib/audience/linkedin';
import { audienceDestination } from '../lib/audiences';
import { batchSettler, claimedMessages, type ClaimedMessage } from '../lib/delivery-batch';
import { writeEach } from '../lib/each-statement';
import { Audience, AudienceMember } from '../models/audience';

const changeOf = (m: ClaimedMessage): AudienceChange => ({ messageId: m._id, action: m.payload.action as AudienceChange['action'], sha256Email: String(m.payload.sha256Email) });

/** What the platform now holds, as it confirmed: an addition is a member, a removal of what was added is none. */
function onPlatform(audienceKey: string, m: ClaimedMessage) {
  const _id = `${audienceKey}:${m.personId}`;
  const { action, sha256Email } = changeOf(m);
  return action === 'ADD'
    ? AudienceMember.updateOne({ _id }, { $set: { audienceKey, personId: m.personId, sha256Email, addedAt: new Date() } }, { upsert: true })
    : AudienceMember.deleteOne({ _id, sha256Email });
}

/**
 * One claimed batch of an audience's changes: the destination and its token
 * read once, every change in one addOrRemove call (LinkedIn takes 5,000 a
 * request; a lane's batch is 1,000), each message settled by its own result:
 * a member the platform refuses fails alone, a throttled request is retried
 * not before Retry-After. What the platform confirmed is recorded before the
 * message is settled, so a batch retried in between only sends it again
 * (adding or removing twice changes nothing there).
 */
export function makeAudienceDelivery() {
  return {
    async deliverAudienceChanges(input: { lane: Lane; claimId: string; retry: DeliveryRetry }): Promise<BatchResult> {
      const claimed = await claimedMessages(input.lane, input.claimId);
      const settler = batchSettler(input.lane, input.retry);
      const key = destinationOf(input.lane);
      if (!claimed.length) return { settled: 0 };
      const destination = await audienceDestination(key);
      if (!destination?.accessToken) {
        // Neither appears by retrying: the changes are dead, and re-driven once the audience is set up again.
        const reason = destination ? `audience '${key}' has no accessToken` : `audience '${key}' does not exist`;
        for (const m of claimed) await settler.settle(m, { status: 'dead', reason });
        return { settled: claimed.length };
      }
      const audience = linkedInAudience({ baseUrl: destination.baseUrl, accessToken: destination.accessToken });
      const results = new Map((await audience.addOrRemove(destination.segmentUrn, claimed.map(changeOf))).map((r) => [r.messageId, r]));
      const confirmed = claimed.filter((m) => results.get(m._id)?.ok);
      await writeEach(confirmed, (m) => onPlatform(key, m));
      // With the members, before the messages settle: whoever sees the change settled sees when it was synced.
      if (confirmed.length) await Audience.updateOne({ _id: key }, { $max: { lastSyncAt: new Date() } });
      for (const m of claimed) {
        const r = results.get(m._id)!;
        await settler.settle(m, r.ok ? { status: 'sent', providerId: r.providerId } : { status: 'failed', error: r.error, permanent: r.permanent, retryAfterMs: r.retryAfterMs });
      }
      return { settled: claimed.length, nextDueAt: settler.nextDueAt() };
    },
  };
}
