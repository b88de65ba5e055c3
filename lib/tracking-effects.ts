import type { AuthContext } from '../api/auth';
import { decidesSalesVisibility } from '../domain/roles';
import { EntityRef, entityRefFor } from '../domain/routing';
import type { FieldUpdate } from '../domain/tracking/traits';
import type { TrackingOp } from '../domain/tracking/operations';
import { Account } from '../models/account';
import { Person } from '../models/person';
import { adoptEmail, relinkIdentities, ResolvedPerson } from './identity-store';
import type { Resolution } from './tracking-identity';

/** `$set` paths of a field update: fields at the top, the rest under attributes. */
function setOf(update: FieldUpdate): Record<string, unknown> {
  const set: Record<string, unknown> = { ...update.fields };
  for (const [k, v] of Object.entries(update.attributes)) set[`attributes.${k}`] = v;
  return set;
}

/**
 * Links a person to an account. A source (ingest key) links a person who has
 * no account yet and never moves one (who sees her in sales depends on it),
 * as POST /v1/events does; admin and marketer keys move her. Answers the
 * accounts whose people changed.
 */
async function link(auth: AuthContext, person: ResolvedPerson, accountKey: string): Promise<string[]> {
  const linked = person.linkedAccountKey;
  if (linked === accountKey || (linked && !decidesSalesVisibility(auth.role))) return [];
  await Person.updateOne({ _id: person.personId }, { $set: { accountKey } });
  await relinkIdentities(person.personId, accountKey);
  person.linkedAccountKey = accountKey;
  person.accountKey = accountKey;
  return linked ? [linked, accountKey] : [accountKey];
}

/** group: the account is created if new (named by its traits, else by its id) and takes the traits. */
async function upsertAccount(accountKey: string, update: FieldUpdate): Promise<void> {
  const set = setOf(update);
  await Account.updateOne({ _id: accountKey }, { ...(Object.keys(set).length ? { $set: set } : {}), ...(update.fields.name ? {} : { $setOnInsert: { name: accountKey } }) }, { upsert: true });
}

/**
 * What identify and group messages change, in message order, on the people
 * their messages resolved to: traits on the person, accounts created or
 * updated, people linked. Answers the entities whose scores may have changed
 * and the people linked to another account (their later events go there).
 */
export async function applyProfileChanges(auth: AuthContext, ops: readonly TrackingOp[], people: Resolution): Promise<{ touched: EntityRef[]; links: Map<string, string> }> {
  const touched = new Map<string, EntityRef>();
  const links = new Map<string, string>();
  const touch = (ref: EntityRef) => touched.set(ref.kind === 'account' ? `a:${ref.accountKey}` : `p:${ref.personId}`, ref);
  for (const [i, op] of ops.entries()) {
    const person = people[i];
    if (!person || person.error || op.kind === 'event' || op.kind === 'alias') continue;
    if (op.kind === 'group') await upsertAccount(op.accountKey, op.account);
    if (op.kind === 'identify') await adoptEmail(person.personId, person.emailAdded);
    if (op.kind === 'identify' && (Object.keys(op.person.fields).length || Object.keys(op.person.attributes).length)) {
      await Person.updateOne({ _id: person.personId }, { $set: setOf(op.person) });
    }
    const moved = op.accountKey ? await link(auth, person, op.accountKey) : [];
    for (const accountKey of moved) touch({ kind: 'account', accountKey });
    if (moved.length) links.set(person.personId, person.linkedAccountKey!);
    touch(entityRefFor(person.linkedAccountKey, person.personId));
  }
  return { touched: [...touched.values()], links };
}
