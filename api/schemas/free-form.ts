import { findUnsafeValue } from '../../domain/safe-document';
import { z } from '../zod';

/** A JSON object from outside, checked to be storable (see domain/safe-document). */
export const FreeFormObject = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const bad = findUnsafeValue(value);
  if (bad) ctx.addIssue({ code: 'custom', message: bad.message, path: bad.path.split('.') });
});
