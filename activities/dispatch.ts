import type { Lane } from '../domain/delivery/lanes';
import { claimMessages, releaseDue } from '../lib/delivery-queue';

/** The dispatcher's own steps on its lane's queue (lib/delivery-queue). */
export async function claimDeliveries(input: { lane: Lane; claimId: string; limit: number }): Promise<number> {
  return claimMessages(input.lane, input.claimId, input.limit);
}

export async function releaseDueDeliveries(input: { lane: Lane }): Promise<number | undefined> {
  return releaseDue(input.lane, Date.now());
}
