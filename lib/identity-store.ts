import { companyDomain, IDENTIFIER_KINDS, IdentifierKind, Identifiers, identityKey, identityKeys, normalizeEmail } from '../domain/identity';
import { chooseSurvivor, crmConflict } from '../domain/merge';
import { mergePeople } from './merge-people';
import { Account } from '../models/account';
import { Identity } from '../models/identity';
import { Person } from '../models/person';
import { newId } from './ids';
import { op } from './query';
import { insertNew } from './mongo-errors';
import { findEach } from './each-statement';
import { Binding, boundIdentities, changingBindings } from './identity-cache';

export interface PersonClaim {
  ids: Identifiers;
  /** Explicit account of the event or call, if any. */
  accountKey?: string;
  /** Fields a person this claim creates starts with: the caller's own write, made by the creation instead of after it. */
  create?: Record<string, unknown>;
}

export interface ResolvedPerson {
  personId: string;
  /** The claim's account, else the person's. */
  accountKey?: string;
  /** The account the person was already linked to, if any. */
  linkedAccountKey?: string;
  created: boolean;
  /** An email bound to this already known person by this claim. */
  emailAdded?: string;
  /** People merged into this one because the claim joined their identifiers. */
  merged: string[];
  /** Why the claim could not be resolved (nothing was written for it). */
  error?: string;
}

type NewBinding = Binding & { _id: string; kind: string; value: string };

/**
 * Resolves a batch of identifier claims to people, reading only the identities
 * this process has not kept (lib/identity-cache.ts) and the accounts of new
 * people's email domains, creating the people
 * and binding the identifiers that are new. Identifiers are unique by `_id`,
 * so two concurrent batches claiming the same new identifier end on one person.
 */
export async function resolvePeople(claims: PersonClaim[]): Promise<ResolvedPerson[]> {
  const keysOf = (c: PersonClaim) => IDENTIFIER_KINDS.filter((k) => c.ids[k]).map((k) => identityKey(k, c.ids[k]!));
  const allKeys = [...new Set(claims.flatMap(keysOf))];
  const { bound, keepInserted } = await boundIdentities(allKeys);

  const verdicts = await joinPeople(claims, keysOf, bound);
  // New people, and known people without an account, join the account of their email's domain.
  const domains = await accountsByDomain(claims.filter((c) => !c.accountKey && !keysOf(c).some((k) => bound.get(k)?.accountKey)));
  const results: ResolvedPerson[] = [];
  const newPeople = new Map<string, Record<string, unknown> & { _id: string; email?: string; accountKey?: string }>();
  const newBindings: NewBinding[] = [];

  for (const [i, claim] of claims.entries()) {
    if (verdicts[i].error) {
      results.push({ personId: '', created: false, merged: [], error: verdicts[i].error });
      continue;
    }
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
      newPeople.set(person.personId, { ...claim.create, _id: person.personId, email, accountKey: person.accountKey });
      created = true;
    }
    let emailAdded: string | undefined;
    for (const kind of IDENTIFIER_KINDS) {
      const value = claim.ids[kind];
      if (!value) continue;
      const key = identityKey(kind, value);
      if (bound.has(key)) continue;
      bound.set(key, person);
      const stored = kind === 'email' ? normalizeEmail(value) : value;
      if (kind === 'email' && !created) emailAdded = stored;
      newBindings.push({ _id: key, personId: person.personId, kind, value: stored, accountKey: person.accountKey });
    }
    const domainAccount = domains.get(companyDomain(claim.ids.email) ?? '');
    results.push({
      personId: person.personId,
      accountKey: claim.accountKey ?? person.accountKey ?? domainAccount,
      linkedAccountKey: person.accountKey,
      created,
      emailAdded,
      merged: verdicts[i].merged,
    });
  }

  keepInserted(await bindIdentities(newBindings, newPeople, results));
  if (newPeople.size) await Person.insertMany([...newPeople.values()], { ordered: false });
  return results;
}

/** A known person who gave an email for the first time takes it as her address (her own email, once set, is never replaced). */
export async function adoptEmail(personId: string, email: string | undefined): Promise<void> {
  if (email) await Person.updateOne({ _id: personId, email: op({ $exists: false }) }, { $set: { email } });
}

/** The accounts people holding any of these identifiers are linked to (no writes). */
export async function linkedAccounts(ids: Identifiers): Promise<string[]> {
  const { bound } = await boundIdentities(identityKeys(ids));
  return [...new Set([...bound.values()].flatMap((b) => (b.accountKey ? [b.accountKey] : [])))];
}

/** A person moved to another account: her identifiers say so, so the next batch routes her events there. */
export async function relinkIdentities(personId: string, accountKey: string): Promise<void> {
  await changingBindings(() => Identity.updateMany({ personId }, { $set: { accountKey } }));
}

/**
 * Writes new identifier bindings. One that another batch bound first wins:
 * people of this batch that lost their identifier are re-pointed to the winner.
 * Answers the bindings this batch wrote.
 */
async function bindIdentities(
  bindings: NewBinding[],
  newPeople: Map<string, unknown>,
  results: ResolvedPerson[],
): Promise<NewBinding[]> {
  const inserted = await insertNew((docs) => Identity.insertMany(docs, { ordered: false }), bindings);
  const written = bindings.filter((_, i) => inserted[i]);
  const lost = bindings.filter((_, i) => !inserted[i]);
  if (lost.length === 0) return written;
  const winners = await findEach(lost.map((b) => b._id), (_id) => Identity.find({ _id }).lean());
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
  return written;
}

/**
 * Claims that join identifiers of different people merge them into the holder
 * of the most trusted identifier; a claim that would give one person two
 * crmIds is refused. Rare, so the reads here are per claim.
 */
async function joinPeople(claims: PersonClaim[], keysOf: (c: PersonClaim) => string[], bound: Map<string, Binding>): Promise<{ merged: string[]; error?: string }[]> {
  const verdicts: { merged: string[]; error?: string }[] = [];
  for (const claim of claims) {
    const byKind: Partial<Record<IdentifierKind, string>> = {};
    for (const kind of IDENTIFIER_KINDS) {
      const b = claim.ids[kind] ? bound.get(identityKey(kind, claim.ids[kind]!)) : undefined;
      if (b) byKind[kind] = b.personId;
    }
    const people = [...new Set(Object.values(byKind))];
    const newCrmId = claim.ids.crmId && !byKind.crmId ? [claim.ids.crmId] : [];
    if (people.length === 0 || (people.length === 1 && newCrmId.length === 0)) {
      verdicts.push({ merged: [] });
      continue;
    }
    const crmIds = await findEach(people, (personId) => Identity.find({ personId, kind: 'crmId' }, { value: 1 }).lean());
    if (crmConflict([...crmIds.map((c) => c.value), ...newCrmId])) {
      verdicts.push({ merged: [], error: `these identifiers belong to people with different crmIds (${[...new Set([...crmIds.map((c) => c.value), ...newCrmId])].join(', ')}); merge them in the CRM first` });
      continue;
    }
    const survivor = chooseSurvivor(byKind)!;
    const losers = people.filter((p) => p !== survivor);
    if (losers.length) {
      await mergePeople(survivor, losers, 'identifiers claimed together', keysOf(claim));
      const merged = await Person.findOne({ _id: survivor }, { accountKey: 1 }).lean();
      const survivorBinding = { personId: survivor, accountKey: merged?.accountKey ?? undefined };
      for (const [key, b] of bound) if (b.personId === survivor || losers.includes(b.personId)) bound.set(key, survivorBinding);
    }
    verdicts.push({ merged: losers });
  }
  return verdicts;
}

async function accountsByDomain(claims: PersonClaim[]): Promise<Map<string, string>> {
  const domains = [...new Set(claims.map((c) => companyDomain(c.ids.email)).filter((d): d is string => !!d))];
  if (domains.length === 0) return new Map();
  const accounts = await findEach(domains, (domain) => Account.find({ domain }, { _id: 1, domain: 1 }).lean());
  return new Map(accounts.map((a) => [a.domain!, a._id]));
}
