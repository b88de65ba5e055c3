import { z } from 'zod';
import { EVENT_TYPES, eventNameProblem, MAX_EVENT_NAME } from './events';

/**
 * An event type a rule, segment or journey names: a built-in type or a custom
 * name. Whether a custom name is registered is checked where the registry is
 * (the API): a name never registered is a 400, so a typo cannot match nothing.
 */
export const eventNameSchema = z
  .string()
  .min(1)
  .max(MAX_EVENT_NAME)
  .superRefine((name, ctx) => {
    const problem = eventNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: `a built-in type (${EVENT_TYPES.join(', ')}) or a registered custom name (GET /v1/event-types)` });
