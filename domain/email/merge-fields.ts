import type { Variable } from 'liquidjs';

/**
 * What a template may refer to: the recipient, their account, their role in
 * the account's buying group and the unsubscribe link. The fields are the
 * ones the renderer's context fills (lib/email-context.ts); `attributes` is
 * free-form below its name. A misspelt field would silently render empty in
 * every message, so it is refused when the template is saved.
 */
export const MERGE_FIELDS = {
  person: ['email', 'firstName', 'lastName', 'jobTitle', 'department', 'seniority', 'attributes'],
  account: ['name', 'domain', 'industry', 'employees', 'annualRevenue', 'fundingRound', 'country', 'tier', 'attributes'],
  buyingGroup: ['name', 'role', 'solutionInterest'],
  unsubscribe_url: [],
} as const satisfies Record<string, readonly string[]>;

type Root = keyof typeof MERGE_FIELDS;
type Fields<R extends Root> = Partial<Record<(typeof MERGE_FIELDS)[R][number], unknown>>;

/** What one message is rendered with; a person without an account or buying group renders those as empty. */
export interface EmailContext {
  person: Fields<'person'>;
  account: Fields<'account'> | null;
  buyingGroup: Fields<'buyingGroup'> | null;
  unsubscribe_url: string;
}

const ROOTS = Object.keys(MERGE_FIELDS) as Root[];

/** Why a variable the template reads from outside is not a merge field, or undefined when it is one. */
export function unknownMergeField(variable: Variable): string | undefined {
  const [root, field] = variable.segments;
  const name = String(variable);
  if (typeof root !== 'string' || !ROOTS.includes(root as Root)) {
    return `unknown variable '${name}'; a template may use ${ROOTS.join(', ')}`;
  }
  const fields: readonly string[] = MERGE_FIELDS[root as Root];
  // `person[key]` is looked up at render time: nothing to check here.
  if (field === undefined || typeof field === 'object') return undefined;
  // Below a known field anything goes: Liquid's own `.size` and `.first`, attributes' free-form keys.
  if (fields.includes(String(field))) return undefined;
  return fields.length ? `unknown variable '${name}'; ${root} has ${fields.join(', ')}` : `unknown variable '${name}'; ${root} has no fields`;
}
