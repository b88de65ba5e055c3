import { TOPIC_KEY } from '../../domain/email/consent';
import { z } from '../zod';

export const TopicKey = z.string().regex(TOPIC_KEY, 'must be 1-64 letters, digits, _ or -');

/** Consent as stored on a person (domain/email/consent): unset means "not said". */
export const ConsentInput = z
  .object({ email: z.boolean().optional(), tracking: z.boolean().optional(), topics: z.record(TopicKey, z.boolean()).optional() })
  .strict()
  .openapi('Consent');

export const ConsentChangeView = z
  .object({
    at: z.string(),
    source: z.string(),
    keyId: z.string(),
    ref: z.string().nullable(),
    changes: z.array(z.object({ field: z.string(), from: z.boolean().nullable(), to: z.boolean() })),
  })
  .openapi('ConsentChange');
