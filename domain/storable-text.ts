/**
 * Text every supported database can store as sent: PostgreSQL jsonb (under
 * the embedded FerretDB) refuses NUL characters, and a lone UTF-16 surrogate
 * is no character at all (drivers silently store U+FFFD in its place).
 */
export interface UnstorableText {
  path: string;
  message: string;
}

/** With the `u` flag a surrogate pair reads as one astral character, so only lone halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'text may not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'text may not contain unpaired UTF-16 surrogates';
  return undefined;
}

/**
 * The first string or object key anywhere in a JSON value whose text cannot be
 * stored, with its dotted path (a bad key is named by the object holding it).
 * Iterative, so a hostile nesting depth cannot overflow the stack.
 */
export function findUnstorableText(value: unknown, path = ''): UnstorableText | undefined {
  const at = (base: string, p: string) => (base ? `${base}.${p}` : p);
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length) {
    const [v, p] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path: p, message: problem };
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      for (const [key] of entries) {
        const problem = textProblem(key);
        if (problem) return { path: p, message: `key ${JSON.stringify(key)}: ${problem}` };
      }
      // Reversed onto the stack, so the first bad field in document order is the one named.
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], at(p, entries[i][0])]);
    }
  }
  return undefined;
}
