import { z } from 'zod';
import { checkFields, Condition, conditionDepth, ConditionProblem, fieldsOf, MAX_CONDITION_DEPTH, SCORE_FIELDS } from '../condition';
import { conditionSchema } from '../condition-schema';
import { parseDuration } from '../duration';
import { eventNameSchema } from '../event-name';
import type { EventType } from '../events';
import { MAX_SEGMENT_WINDOW_MS } from '../segments/limits';

const MAX_WINDOW_MS = parseDuration('P2Y')!;
const duration = z
  .string()
  .max(40)
  .refine((d) => parseDuration(d) !== undefined, { message: 'must be an ISO 8601 duration such as P90D or PT3S' })
  .refine((d) => (parseDuration(d) ?? 0) > 0 && (parseDuration(d) ?? 0) <= MAX_WINDOW_MS, { message: 'must be longer than 0 and at most P2Y' });
const points = z.number().int().min(-1000).max(1000);
const ruleId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -');

export const scoringModelSchema = z
  .object({
    fit: z.array(z.object({ id: ruleId, when: conditionSchema, points }).strict()).max(200).default([]),
    behavior: z
      .array(
        z
          .object({
            id: ruleId,
            event: eventNameSchema,
            where: conditionSchema.optional(),
            minCount: z.number().int().min(1).max(1000).default(1),
            within: duration,
            points,
          })
          .strict(),
      )
      .max(200)
      .default([]),
    qualifyAt: z.number().int().min(1).max(100000),
    discard: z.object({ below: z.number().int(), after: duration }).strict().optional(),
  })
  .strict();

export type ScoringModel = z.output<typeof scoringModelSchema>;
export type FitRule = ScoringModel['fit'][number];
export type BehaviorRule = ScoringModel['behavior'][number] & { event: EventType };

/**
 * Checks what a schema cannot: rule ids unique, fields that exist, nesting depth.
 * Fit rules see person and account; behaviour filters see the event too.
 */
export function checkModel(model: ScoringModel): ConditionProblem[] {
  const problems: ConditionProblem[] = [];
  const seen = new Set<string>();
  const rules = [...model.fit.map((r, i) => ({ r, path: `fit.${i}` })), ...model.behavior.map((r, i) => ({ r, path: `behavior.${i}` }))];
  for (const { r, path } of rules) {
    if (seen.has(r.id)) problems.push({ path: `${path}.id`, message: `rule id '${r.id}' is used twice` });
    seen.add(r.id);
  }
  const check = (c: Condition | undefined, path: string, scopes: ('person' | 'account' | 'event')[]) => {
    if (!c) return;
    if (conditionDepth(c) > MAX_CONDITION_DEPTH) problems.push({ path, message: `nested deeper than ${MAX_CONDITION_DEPTH} levels` });
    problems.push(...checkFields(c, scopes, path));
    for (const field of fieldsOf(c)) {
      if (SCORE_FIELDS.some((f) => field === `person.${f}`)) problems.push({ path, message: `'${field}' cannot be used by a scoring rule: a score cannot depend on itself` });
    }
  };
  model.fit.forEach((r, i) => check(r.when, `fit.${i}.when`, ['person', 'account']));
  model.behavior.forEach((r, i) => check(r.where, `behavior.${i}.where`, ['event', 'person', 'account']));
  return problems;
}

/** Warnings that do not block saving: a threshold no one can reach. */
export function modelWarnings(model: ScoringModel): string[] {
  const max = [...model.fit, ...model.behavior].reduce((sum, r) => sum + Math.max(0, r.points), 0);
  return max < model.qualifyAt ? [`the highest reachable score is ${max}, below qualifyAt ${model.qualifyAt}: no one will qualify`] : [];
}

/** How far back behaviour is kept: the model's longest window, and at least the longest segment window. */
export function retentionMs(model: ScoringModel): number {
  return Math.max(MAX_SEGMENT_WINDOW_MS, ...model.behavior.map((r) => parseDuration(r.within)!));
}
