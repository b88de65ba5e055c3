import { DOCUMENT_LIMITS, findUnsafeValue } from '../../domain/safe-document';
import { z } from '../zod';

type JsonSchema = Record<string, unknown>;

const KEY: JsonSchema = { pattern: '^[^$.\\s\\u0085\\u0000]([^.\\u0000]*[^.\\s\\u0085\\u0000])?$' };
const SCALAR: JsonSchema = { type: ['null', 'boolean', 'number', 'string'], maxLength: DOCUMENT_LIMITS.stringLength, pattern: '^[^\\u0000]*$', minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE };

/** What findUnsafeValue accepts at this depth, unrolled: JSON Schema has no depth limit of its own. */
function valueAt(depth: number, inArray: boolean): JsonSchema {
  if (depth >= DOCUMENT_LIMITS.depth) return SCALAR;
  const array = { type: 'array', maxItems: DOCUMENT_LIMITS.arrayLength, items: valueAt(depth + 1, true) };
  return { anyOf: [SCALAR, objectAt(depth), ...(inArray ? [] : [array])] };
}

function objectAt(depth: number): JsonSchema {
  return { type: 'object', maxProperties: DOCUMENT_LIMITS.keys, propertyNames: KEY, additionalProperties: valueAt(depth + 1, false) };
}

/** A JSON object from outside, checked to be storable (see domain/safe-document); the document states the same limits. */
export const FreeFormObject = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const bad = findUnsafeValue(value);
    if (bad) ctx.addIssue({ code: 'custom', message: bad.message, path: bad.path.split('.') });
  })
  .openapi(objectAt(0));
