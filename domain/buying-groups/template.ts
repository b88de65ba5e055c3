import { z } from 'zod';
import { checkFields, Condition, conditionDepth, ConditionProblem, MAX_CONDITION_DEPTH } from '../condition';
import { conditionSchema } from '../condition-schema';
import { nonBlankText } from '../non-blank-text';

/** Roles per template: a buying group is a handful of people, not a department. */
export const MAX_ROLES = 20;

export const roleTemplateSchema = z
  .object({
    name: nonBlankText(200),
    solutionInterest: nonBlankText(200),
    completeAt: z.number().min(0).max(100),
    /** Share a group with sales when it completes (default). Off: it is only marked complete. */
    shareWithSales: z.boolean().default(true),
    roles: z
      .array(
        z
          .object({
            role: nonBlankText(100),
            weight: z.number().gt(0, 'must be greater than 0').max(1000),
            required: z.boolean().optional(),
            when: conditionSchema,
          })
          .strict(),
      )
      .min(1, 'a template needs at least one role')
      .max(MAX_ROLES),
  })
  .strict()
  .meta({ id: 'RoleTemplate' });

export type RoleTemplate = z.output<typeof roleTemplateSchema>;
export type TemplateRole = RoleTemplate['roles'][number];

/** What a schema cannot check: role names unique, conditions on fields a person or its account has. */
export function checkTemplate(t: RoleTemplate): ConditionProblem[] {
  const problems: ConditionProblem[] = [];
  const seen = new Set<string>();
  t.roles.forEach((r, i) => {
    const name = r.role.toLowerCase();
    if (seen.has(name)) problems.push({ path: `roles.${i}.role`, message: `role '${r.role}' is named twice` });
    seen.add(name);
    const when: Condition = r.when;
    if (conditionDepth(when) > MAX_CONDITION_DEPTH) problems.push({ path: `roles.${i}.when`, message: `nested deeper than ${MAX_CONDITION_DEPTH} levels` });
    problems.push(...checkFields(when, ['person', 'account'], `roles.${i}.when`));
  });
  return problems;
}

/** "Acme Corp AI-driven seeds Buying Group". */
export function groupName(accountName: string, solutionInterest: string): string {
  return `${accountName} ${solutionInterest} Buying Group`;
}
