import { z } from '../zod';
import { Activity, ProfileJourney } from './accounts';
import { FreeFormObject } from './free-form';
import { Email, Key } from './common';
import { ConsentInput } from './consent';
import { ProfileNurtureStream } from './nurture';

export const PersonInput = z
  .object({
    firstName: z.string().max(200).optional(),
    lastName: z.string().max(200).optional(),
    jobTitle: z.string().max(300).optional(),
    department: z.string().max(200).optional(),
    seniority: z.string().max(100).optional(),
    accountKey: Key.optional(),
    consent: ConsentInput.optional(),
    attributes: FreeFormObject.optional(),
  })
  .strict()
  .openapi('PersonInput');

export const EmailParams = z.object({ email: Email });
export const PersonIdParams = z.object({ personId: z.string().regex(/^p_[A-Za-z0-9_-]{1,64}$/, 'must be a person id such as p_…') });

export const PersonProfile = z
  .object({
    personId: z.string(),
    identities: z.array(z.object({ kind: z.string(), value: z.string() })),
    attributes: z.record(z.string(), z.unknown()),
    accountKey: z.string().nullable(),
    activity: Activity,
    lastActivityAt: z.string().nullable(),
    score: z.unknown().nullable(),
    buyingGroups: z.array(
      z
        .object({ id: z.string(), name: z.string(), solutionInterest: z.string(), role: z.string(), manual: z.boolean(), status: z.string() })
        .openapi('PersonBuyingGroup'),
    ),
    /** The journeys of the person's account. */
    journeys: z.array(ProfileJourney),
    /** The nurture streams the person is or was on. */
    nurtureStreams: z.array(ProfileNurtureStream),
    consent: ConsentInput,
    /** The lead status the CRM last sent back (POST /v1/crm-connections/:key/inbound). */
    crm: z.object({ status: z.string(), connection: z.string(), updatedAt: z.string() }).nullable(),
    masked: z.boolean(),
  })
  .openapi('PersonProfile');
