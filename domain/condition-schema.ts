import { z } from 'zod';
import { MAX_LIST_LENGTH, OPERATORS, type Condition } from './condition';

// The API's validation of conditions. Kept out of ./condition, which workflows
// import: each workflow loads its own copy of what it imports, and zod alone would
// add about 0.7 MB to every workflow the worker keeps in memory.

const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);

/** One comparison of a field with a value (no nesting). */
export const fieldConditionSchema = z
  .object({ field: z.string().min(1).max(200), op: z.enum(OPERATORS), value: z.union([scalar, z.array(scalar).max(MAX_LIST_LENGTH)]).optional() })
  .strict()
  .superRefine((c, ctx) => {
    if (c.op === 'in' && !Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: "'in' needs a list value" });
    if (c.op !== 'in' && Array.isArray(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' needs a single value` });
    if (c.op !== 'exists' && c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `'${c.op}' needs a value` });
  })
  // The same rules for the OpenAPI document: 'in' takes a list, 'exists' at most a single value, the others a single value.
  .meta({
    anyOf: [
      { properties: { op: { const: 'in' }, value: { type: 'array' } }, required: ['value'] },
      { properties: { op: { const: 'exists' }, value: { not: { type: 'array' } } } },
      { properties: { op: { enum: OPERATORS.filter((o) => o !== 'in' && o !== 'exists') }, value: { not: { type: 'array' } } }, required: ['value'] },
    ],
  });

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    fieldConditionSchema,
    z.object({ all: z.array(conditionSchema).min(1).max(MAX_LIST_LENGTH) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1).max(MAX_LIST_LENGTH) }).strict(),
    z.object({ not: conditionSchema }).strict(),
  ]),
).meta({ id: 'Condition' });
