import { companyDomain, IDENTIFIER_KINDS, Identifiers, identityKey, normalizeEmail } from '../domain/identity';
import { Account } from '../models/account';
import { Identity } from '../models/identity';
import { Person } from '../models/person';
import { newId } from './ids';
import { insertNew } from './mongo-errors';
import { op } from './query';

export interface PersonClaim {
  ids: Identifiers;
  /** Explicit account of the event or call, if any. */
  accountKey?: string;
}

export interface ResolvedPerson {
  personId: string;
  /** The claim's account, else the person's. */
  accountKey?: string;
  /** The account the person was already linked to, if any. */
  linkedAccountKey?: string;
  created: boolean;
}

interface Binding {
  personId: string;
  accountKey?: string;
}

/**
 * Resolves a batch of identifier claims to people with one read of identities
 * (and one of accounts for new people's email domains), creating the people
 * and binding the identifiers that are new. Identifiers are unique by `_id`,
 * so two concurrent batches claiming the same new identifier end on one person.
 */
export async function resolvePeople(claims: PersonClaim[]): Promise<ResolvedPerson[]> {
  const keysOf = (c: PersonClaim) => IDENTIFIER_KINDS.filter((k) => c.ids[k]).map((k) => identityKey(k, c.ids[k]!));
  const allKeys = [...new Set(claims.flatMap(keysOf))];
  const bound = new Map<string, Binding>();
  for (const doc of await Identity.find({ _id: op({ $in: allKeys }) }).lean()) {
    bound.set(doc._id, { personId: doc.personId, accountKey: doc.accountKey ?? undefined });
  }

  const domains = await accountsByDomain(claims.filter((c) => !c.accountKey && !keysOf(c).some((k) => bound.has(k))));
  const results: ResolvedPerson[] = [];
  const newPeople = new Map<string, { _id: string; email?: string; accountKey?: string }>();
  const newBindings: { _id: string; personId: string; kind: string; value: string; accountKey?: string }[] = [];

  for (const claim of claims) {
    const keys = keysOf(claim);
    const known = keys.map((k) => bound.get(k)).find(Boolean);
    let person: Binding;
    let created = false;
    if (known) {
      person = known;
    } else {
      const email = claim.ids.email ? normalizeEmail(claim.ids.email) : undefined;
      const domain = companyDomain(email);
      person = { personId: newId('p'), accountKey: claim.accountKey ?? (domain ? domains.get(domain) : undefined) };
      newPeople.set(person.personId, { _id: person.personId, email, accountKey: person.accountKey });
      created = true;
    }
    for (const kind of IDENTIFIER_KINDS) {
      const value = claim.ids[kind];
      if (!value) continue;
      const key = identityKey(kind, value);
      if (bound.has(key)) continue;
      bound.set(key, person);
      newBindings.push({ _id: key, personId: person.personId, kind, value: kind === 'email' ? normalizeEmail(value) : value, accountKey: person.accountKey });
    }
    results.push({ personId: person.personId, accountKey: claim.accountKey ?? person.accountKey, linkedAccountKey: person.accountKey, created });
  }

  await bindIdentities(newBindings, newPeople, results);
  if (newPeople.size) await Person.insertMany([...newPeople.values()], { ordered: false });
  return results;
}

/**
 * Writes new identifier bindings. One that another batch bound first wins:
 * people of this batch that lost their identifier are re-pointed to the winner.
 */
async function bindIdentities(
  bindings: { _id: string; personId: string; kind: string; value: string; accountKey?: string }[],
  newPeople: Map<string, unknown>,
  results: ResolvedPerson[],
): Promise<void> {
  const inserted = await insertNew((docs) => Identity.insertMany(docs, { ordered: false }), bindings);
  const lost = bindings.filter((_, i) => !inserted[i]);
  if (lost.length === 0) return;
  const winners = await Identity.find({ _id: op({ $in: lost.map((b) => b._id) }) }).lean();
  for (const w of winners) {
    const loser = lost.find((b) => b._id === w._id)!;
    if (loser.personId === w.personId) continue;
    newPeople.delete(loser.personId);
    for (const r of results) {
      if (r.personId === loser.personId) {
        r.personId = w.personId;
        r.accountKey = r.accountKey ?? w.accountKey ?? undefined;
        r.linkedAccountKey = w.accountKey ?? undefined;
        r.created = false;
      }
    }
  }
}

async function accountsByDomain(claims: PersonClaim[]): Promise<Map<string, string>> {
  const domains = [...new Set(claims.map((c) => companyDomain(c.ids.email)).filter((d): d is string => !!d))];
  if (domains.length === 0) return new Map();
  const accounts = await Account.find({ domain: op({ $in: domains }) }, { _id: 1, domain: 1 }).lean();
  return new Map(accounts.map((a) => [a.domain!, a._id]));
}
