import { Context } from '@temporalio/activity';
import { seedMessages } from '../lib/audience-changes';
import { storedAudience } from '../lib/audiences';
import type { DeliveryTarget } from '../lib/deliver-events';
import { recordAndDeliver } from '../lib/deliveries';
import { SegmentMember } from '../models/segment-membership';

export interface SeedAudienceInput {
  key: string;
  segmentId: string;
  /** Names this start of following the segment: the seed's message ids carry it. */
  seed: string;
}

/** Messages recorded per statement batch of the seeding. */
const CHUNK = 1000;

/**
 * Makes an audience equal to its segment's current members when it starts
 * following the segment (created, or given another one); from then on the
 * members' entity workflows send entries and exits. A retry records the same
 * ids, so nothing twice.
 */
export function makeSeedAudience(delivery: DeliveryTarget) {
  return async function seedAudience(input: SeedAudienceInput): Promise<{ recorded: number }> {
    const audience = await storedAudience(input.key);
    // Deleted, or following another segment since: that save seeds it.
    if (audience?.segmentId !== input.segmentId) return { recorded: 0 };
    const members = (await SegmentMember.find({ segmentId: input.segmentId }, { memberId: 1 }).lean()).map((m) => m.memberId);
    const messages = await seedMessages(input.key, input.seed, members);
    let recorded = 0;
    for (let i = 0; i < messages.length; i += CHUNK) {
      recorded += await recordAndDeliver(delivery, messages.slice(i, i + CHUNK));
      Context.current().heartbeat();
    }
    return { recorded };
  };
}
