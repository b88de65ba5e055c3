import type { PersonalDataView } from '../domain/masking';
import { type EmailContext, MERGE_FIELDS } from '../domain/email/merge-fields';
import { Account } from '../models/account';
import { Person } from '../models/person';
import { personBuyingGroups, type ProfileBuyingGroup } from './profile-links';

/** A preview's unsubscribe link: visibly not a working one (.invalid never resolves); a real link is made per message when it is sent. */
export const PREVIEW_UNSUBSCRIBE_URL = 'https://unsubscribe.invalid/preview';

const PERSON_TEXT = ['firstName', 'lastName', 'jobTitle', 'department', 'seniority'] as const;

function pick(doc: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => doc[f] !== undefined && doc[f] !== null).map((f) => [f, doc[f]]));
}

type PersonDoc = { _id: string; email?: string | null; accountKey?: string | null; attributes?: unknown } & Partial<Record<(typeof PERSON_TEXT)[number], string | null>>;

/**
 * What a template is rendered with for one person: their merge fields as the
 * reader's role may see them (masked for operators), their account, and their
 * role in a buying group of that account (the one named, else their first),
 * or null when the person does not exist.
 */
export async function emailContextFor(personId: string, view: PersonalDataView, opts: { unsubscribeUrl: string; buyingGroupId?: string }): Promise<EmailContext | null> {
  const person = await Person.findOne({ _id: personId }).lean();
  if (!person) return null;
  const account = person.accountKey ? await Account.findOne({ _id: person.accountKey }).lean() : null;
  return emailContextOf(person as PersonDoc, account, await personBuyingGroups(person._id, person.accountKey), view, opts);
}

/** The same, from documents already read (a delivery batch reads each account and its groups once). */
export function emailContextOf(person: PersonDoc, account: object | null, groups: ProfileBuyingGroup[], view: PersonalDataView, opts: { unsubscribeUrl: string; buyingGroupId?: string }): EmailContext {
  const fields: Record<string, unknown> = { attributes: view.freeForm((person.attributes ?? {}) as Record<string, unknown>) };
  if (person.email) fields.email = view.identifier('email', person.email);
  for (const f of PERSON_TEXT) if (person[f]) fields[f] = view.text(person[f]!);
  const group = groups.find((g) => g.id === opts.buyingGroupId) ?? groups[0];
  return {
    person: fields,
    account: account ? pick(account as Record<string, unknown>, MERGE_FIELDS.account) : null,
    buyingGroup: group ? { name: group.name, role: group.role, solutionInterest: group.solutionInterest } : null,
    unsubscribe_url: opts.unsubscribeUrl,
  };
}
