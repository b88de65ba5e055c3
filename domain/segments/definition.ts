import { z } from 'zod';
import { checkFields, Condition, conditionDepth, ConditionProblem, FieldCondition, Scope } from '../condition';
import { conditionSchema, fieldConditionSchema } from '../condition-schema';
import { parseDuration } from '../duration';
import { eventNameSchema } from '../event-name';
import type { EventType } from '../events';
import { nonBlankText } from '../non-blank-text';
import { MAX_SEGMENT_DEPTH, MAX_SEGMENT_LIST, MAX_SEGMENT_WINDOW, MAX_SEGMENT_WINDOW_MS } from './limits';

/** "Did at least minCount events of this type (matching where) within the window." */
export interface Performed {
  performed: EventType;
  where?: Condition;
  minCount?: number;
  within: string;
}

export type PersonDefinition = FieldCondition | Performed | { all: PersonDefinition[] } | { any: PersonDefinition[] } | { not: PersonDefinition };

/** An account matches when at least minCount of its people match. */
export interface PeopleMatch {
  people: PersonDefinition;
  minCount?: number;
}

/** An account whose buying group for the interest is (in)complete or misses a role. */
export interface BuyingGroupMatch {
  buyingGroup: { solutionInterest: string; complete?: boolean; missingRole?: string };
}

export type AccountDefinition = FieldCondition | PeopleMatch | BuyingGroupMatch | { all: AccountDefinition[] } | { any: AccountDefinition[] } | { not: AccountDefinition };

export type SegmentLevel = 'person' | 'account';

const within = z
  .string()
  .max(40)
  .refine((d) => parseDuration(d) !== undefined, { message: 'must be an ISO 8601 duration such as P7D or PT3S' })
  .refine((d) => (parseDuration(d) ?? 0) > 0 && (parseDuration(d) ?? 0) <= MAX_SEGMENT_WINDOW_MS, { message: `must be longer than 0 and at most ${MAX_SEGMENT_WINDOW}` });

const performedSchema = z
  .object({ performed: eventNameSchema, where: conditionSchema.optional(), minCount: z.number().int().min(1).max(500).optional(), within })
  .strict();

const SHAPES = 'expected a condition {field, op, value}, {performed, within}, {all: [..]}, {any: [..]} or {not: ..}';

export const personDefinitionSchema: z.ZodType<PersonDefinition> = z
  .lazy(() =>
    z.union(
      [
        fieldConditionSchema,
        performedSchema,
        z.object({ all: z.array(personDefinitionSchema).min(1).max(MAX_SEGMENT_LIST) }).strict(),
        z.object({ any: z.array(personDefinitionSchema).min(1).max(MAX_SEGMENT_LIST) }).strict(),
        z.object({ not: personDefinitionSchema }).strict(),
      ],
      { error: SHAPES },
    ),
  )
  .meta({ id: 'PersonSegmentDefinition' });

export const accountDefinitionSchema: z.ZodType<AccountDefinition> = z
  .lazy(() =>
    z.union(
      [
        fieldConditionSchema,
        z.object({ people: personDefinitionSchema, minCount: z.number().int().min(1).max(10000).optional() }).strict(),
        z
          .object({
            buyingGroup: z.object({ solutionInterest: nonBlankText(200), complete: z.boolean().optional(), missingRole: nonBlankText(100).optional() }).strict(),
          })
          .strict(),
        z.object({ all: z.array(accountDefinitionSchema).min(1).max(MAX_SEGMENT_LIST) }).strict(),
        z.object({ any: z.array(accountDefinitionSchema).min(1).max(MAX_SEGMENT_LIST) }).strict(),
        z.object({ not: accountDefinitionSchema }).strict(),
      ],
      { error: `${SHAPES.replace(' or {not: ..}', ', {people: .., minCount?}, {buyingGroup: {solutionInterest, complete?, missingRole?}} or {not: ..}')}` },
    ),
  )
  .meta({ id: 'AccountSegmentDefinition' });

export const isPerformed = (d: object): d is Performed => 'performed' in d;
export const isPeople = (d: object): d is PeopleMatch => 'people' in d;
export const isBuyingGroup = (d: object): d is BuyingGroupMatch => 'buyingGroup' in d;
export const isField = (d: object): d is FieldCondition => 'field' in d;

function depth(d: PersonDefinition | AccountDefinition): number {
  if ('all' in d) return 1 + Math.max(...(d.all as (PersonDefinition | AccountDefinition)[]).map(depth));
  if ('any' in d) return 1 + Math.max(...(d.any as (PersonDefinition | AccountDefinition)[]).map(depth));
  if ('not' in d) return 1 + depth(d.not);
  if (isPeople(d)) return 1 + depth(d.people);
  if (isPerformed(d)) return 1 + (d.where ? conditionDepth(d.where) : 0);
  return 1;
}

/**
 * What a schema cannot check: the fields a definition names exist for its level
 * (a person segment sees the person and its account, an account segment the
 * account and, through `people`, its people), and nesting stays bounded.
 */
export function checkDefinition(level: SegmentLevel, d: PersonDefinition | AccountDefinition, path = 'definition'): ConditionProblem[] {
  if (depth(d) > MAX_SEGMENT_DEPTH) return [{ path, message: `nested deeper than ${MAX_SEGMENT_DEPTH} levels` }];
  return level === 'person' ? checkPerson(d as PersonDefinition, path) : checkAccount(d as AccountDefinition, path);
}

const PERSON_SCOPES: Scope[] = ['person', 'account'];

function checkPerson(d: PersonDefinition, path: string): ConditionProblem[] {
  if ('all' in d) return d.all.flatMap((x, i) => checkPerson(x, `${path}.all.${i}`));
  if ('any' in d) return d.any.flatMap((x, i) => checkPerson(x, `${path}.any.${i}`));
  if ('not' in d) return checkPerson(d.not, `${path}.not`);
  if (isPerformed(d)) return d.where ? checkFields(d.where, ['event', ...PERSON_SCOPES], `${path}.where`) : [];
  return checkFields(d, PERSON_SCOPES, path);
}

function checkAccount(d: AccountDefinition, path: string): ConditionProblem[] {
  if ('all' in d) return d.all.flatMap((x, i) => checkAccount(x, `${path}.all.${i}`));
  if ('any' in d) return d.any.flatMap((x, i) => checkAccount(x, `${path}.any.${i}`));
  if ('not' in d) return checkAccount(d.not, `${path}.not`);
  if (isPeople(d)) return checkPerson(d.people, `${path}.people`);
  if (isBuyingGroup(d)) return [];
  return checkFields(d, ['account'], path);
}
