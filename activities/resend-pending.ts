import type { AccountEvent } from '../domain/events';
import type { EntityRef } from '../domain/routing';
import { DeliveryTarget, deliverGrouped } from '../lib/deliver-events';
import { PendingEvent } from '../models/pending-event';
import { op } from '../lib/query';

const PAGE = 5000;

/** Re-sends stored events older than the grace period that no workflow has applied yet. */
export function makeResendPendingEvents(target: DeliveryTarget) {
  return async function resendPendingEvents(input: { graceSeconds: number }): Promise<{ resent: number; workflows: number }> {
    const cutoff = new Date(Date.now() - input.graceSeconds * 1000);
    const stale = await PendingEvent.find({ receivedAt: op({ $lt: cutoff }) })
      .limit(PAGE)
      .lean();
    const groups = new Map<string, { entity: EntityRef; events: AccountEvent[] }>();
    for (const p of stale) {
      const group = groups.get(p.workflowId) ?? { entity: p.entity as EntityRef, events: [] };
      group.events.push(p.event as AccountEvent);
      groups.set(p.workflowId, group);
    }
    const { failed } = await deliverGrouped(target, groups);
    if (failed > 0) throw new Error(`re-sending to ${failed} of ${groups.size} workflows failed; will retry`);
    return { resent: stale.length, workflows: groups.size };
  };
}
