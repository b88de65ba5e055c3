/**
 * Free-form objects from outside (event properties, attributes) are stored as
 * they are, so they must be storable by every supported database: keys without
 * `.`, a leading `$` or NUL, no nested arrays, finite numbers, bounded size.
 * (FerretDB refuses the former with an error; real MongoDB would read `$` keys
 * as operators.)
 */
import { textProblem } from './storable-text';

export interface UnsafeValue {
  path: string;
  message: string;
}

/** FerretDB cannot update a field whose name begins or ends with white space (Go's unicode.IsSpace, which counts U+0085). */
const EDGE_SPACE = /^[\s\u0085]|[\s\u0085]$/;

export const DOCUMENT_LIMITS = { depth: 5, keys: 100, stringLength: 4096, arrayLength: 200 };

export function findUnsafeValue(value: unknown, path = '', depth = 0, inArray = false): UnsafeValue | undefined {
  const at = (p: string) => (path ? `${path}.${p}` : p);
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path, message: 'numbers must be finite' };
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem) return { path, message: problem };
    if (value.length > DOCUMENT_LIMITS.stringLength) return { path, message: `text longer than ${DOCUMENT_LIMITS.stringLength} characters` };
    return undefined;
  }
  if (depth >= DOCUMENT_LIMITS.depth) return { path, message: `nested deeper than ${DOCUMENT_LIMITS.depth} levels` };
  if (Array.isArray(value)) {
    if (inArray) return { path, message: 'arrays may not contain arrays' };
    if (value.length > DOCUMENT_LIMITS.arrayLength) return { path, message: `more than ${DOCUMENT_LIMITS.arrayLength} items` };
    for (let i = 0; i < value.length; i++) {
      const bad = findUnsafeValue(value[i], at(String(i)), depth + 1, true);
      if (bad) return bad;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    if (keys.length > DOCUMENT_LIMITS.keys) return { path, message: `more than ${DOCUMENT_LIMITS.keys} keys` };
    for (const key of keys) {
      if (key === '' || key.startsWith('$') || key.includes('.') || EDGE_SPACE.test(key) || textProblem(key)) {
        return { path: at(key), message: "keys may not be empty, start with '$' or white space, end with white space or contain '.', NUL or unpaired surrogates" };
      }
      const bad = findUnsafeValue((value as Record<string, unknown>)[key], at(key), depth + 1, false);
      if (bad) return bad;
    }
    return undefined;
  }
  return { path, message: `unsupported value of type ${typeof value}` };
}
