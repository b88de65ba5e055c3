import type { AccountEvent } from '../domain/events';
import { NurtureEnrolment } from '../models/nurture-enrolment';
import { recheckSignal } from '../workflows/nurture-messages';
import type { DeliveryTarget } from './deliver-events';
import { findEach, writeEach } from './each-statement';

/**
 * After an entity's batch is written: the streams of people who became
 * qualified or unsubscribed judge them now, so they leave within seconds of
 * the event instead of at their next cast. Asking twice changes nothing; a
 * retried batch that no longer sees the change leaves it to the next cast.
 */
export async function recheckNurtures(target: DeliveryTarget, statusChanges: readonly { personId: string; to: string }[], events: readonly AccountEvent[]): Promise<void> {
  const people = new Set([...statusChanges.filter((c) => c.to === 'qualified').map((c) => c.personId), ...events.filter((e) => e.type === 'unsubscribe').map((e) => e.personId)]);
  if (!people.size) return;
  const enrolments = (await findEach([...people], (personId) => NurtureEnrolment.find({ personId }, { status: 1 }).lean())).filter((e) => e.status !== 'exited');
  await writeEach(enrolments, async (e) => {
    try {
      await target.client.workflow.getHandle(e._id).signal(recheckSignal);
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  });
}
