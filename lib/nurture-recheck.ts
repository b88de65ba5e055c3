import type { AccountEvent } from '../domain/events';
import { NurtureEnrolment } from '../models/nurture-enrolment';
import { NurtureStream } from '../models/nurture-stream';
import { recheckSignal } from '../workflows/nurture-messages';
import type { DeliveryTarget } from './deliver-events';
import { findEach, writeEach } from './each-statement';
import { runningStreams } from './nurture-entry';

/**
 * The streams these people are on judge them now (leave or stay) instead of
 * at their next cast. Asking twice changes nothing; a person on no stream
 * costs one read. Only a running stream's enrolments still judge anyone, so
 * many people (a re-score qualifies whole accounts at once) cost the two reads
 * of the running streams first, and no more when there are none.
 */
export async function recheckPeople(target: DeliveryTarget, personIds: readonly string[]): Promise<void> {
  const people = [...new Set(personIds)];
  if (!people.length) return;
  if (people.length > 2 && !(await runningStreams()).length) return;
  const enrolments = (await findEach(people, (personId) => NurtureEnrolment.find({ personId }, { status: 1 }).lean())).filter((e) => e.status !== 'exited');
  await writeEach(enrolments, async (e) => {
    try {
      await target.client.workflow.getHandle(e._id).signal(recheckSignal);
    } catch (err) {
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
    }
  });
}

/** Whether an active stream has an exit rule, which any event may make true. */
async function anyExitRule(): Promise<boolean> {
  const active = await NurtureStream.find({ status: 'active' }, { 'definition.exitWhen': 1 }).lean();
  return active.some((s) => (s.definition as { exitWhen?: unknown } | undefined)?.exitWhen);
}

/**
 * After an entity's batch is written: people who became qualified and, while
 * an active stream has an exit rule, everyone whose events the batch applied
 * are judged by their streams within seconds of the event (an unsubscribe
 * event is judged where it is applied). A retried batch that no longer sees
 * the change leaves it to the next cast.
 */
export async function recheckNurtures(target: DeliveryTarget, statusChanges: readonly { personId: string; to: string }[], events: readonly AccountEvent[]): Promise<void> {
  const people = new Set(statusChanges.filter((c) => c.to === 'qualified').map((c) => c.personId));
  if (events.length && (await anyExitRule())) for (const e of events) people.add(e.personId);
  await recheckPeople(target, [...people]);
}
