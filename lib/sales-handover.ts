import { Person } from '../models/person';
import type { DeliveryTarget } from './deliver-events';
import { writeEach } from './each-statement';
import { recheckPeople } from './nurture-recheck';
import { op } from './query';

/**
 * People a lead transfer handed to the CRM: the first hand-over is recorded
 * on the person, and the nurture streams they are on let them go now, with
 * the reason 'transferred to sales'. A retried batch changes nothing more.
 */
export async function handedToSales(target: DeliveryTarget, personIds: readonly string[], at = new Date()): Promise<void> {
  if (!personIds.length) return;
  await writeEach(personIds, (_id) => Person.updateOne({ _id, salesHandoverAt: op({ $exists: false }) }, { $set: { salesHandoverAt: at } }));
  await recheckPeople(target, personIds);
}
