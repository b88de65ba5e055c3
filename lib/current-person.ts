import { Person } from '../models/person';

const MAX_MERGE_HOPS = 5;

/** A person as they are now: the one they were merged into, if they were (One ID); undefined when there is none. */
export async function currentPerson(personId: string) {
  const fields = { email: 1, consent: 1, mergedInto: 1 };
  let person = await Person.findOne({ _id: personId }, fields).lean();
  for (let hops = 0; person?.mergedInto && hops < MAX_MERGE_HOPS; hops++) person = await Person.findOne({ _id: person.mergedInto }, fields).lean();
  return person && !person.mergedInto ? person : undefined;
}
