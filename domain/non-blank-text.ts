import { z } from 'zod';

/**
 * Trimmed text with at least one other character than white space. The
 * pattern states that in the OpenAPI document (its class names U+FEFF and
 * NUL because JavaScript's trim and other languages' \s differ on the first,
 * and no route takes the second).
 */
export const nonBlankText = (max: number) =>
  z.string().trim().min(1).max(max).meta({ pattern: '^[^\\u0000]*[^\\s\\ufeff\\u0000][^\\u0000]*$' });
