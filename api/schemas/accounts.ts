import { z } from '../zod';
import { FreeFormObject } from './free-form';
import { nonBlankText } from '../../domain/non-blank-text';
import { Key } from './common';

export const AccountInput = z
  .object({
    name: nonBlankText(300),
    domain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain such as acme.com')
      .optional(),
    industry: z.string().max(200).optional(),
    employees: z.number().int().min(0).optional(),
    annualRevenue: z.number().min(0).optional(),
    fundingRound: z.string().max(50).optional(),
    country: z.string().max(100).optional(),
    tier: z.string().max(50).optional(),
    ownerId: z.string().max(200).optional(),
    attributes: FreeFormObject.optional(),
  })
  .strict()
  .openapi('AccountInput');

export const AccountKeyParams = z.object({ accountKey: Key });

export const Activity = z.object({ total: z.number(), byType: z.record(z.string(), z.number()) }).openapi('Activity');

/** A journey the account is or was on, where it stands on it. */
export const ProfileJourney = z
  .object({ journeyId: z.string(), version: z.number().int(), nodeId: z.string(), status: z.string(), updatedAt: z.string() })
  .openapi('ProfileJourney');

export const AccountProfile = z
  .object({
    accountKey: z.string(),
    attributes: z.record(z.string(), z.unknown()),
    activity: Activity,
    lastActivityAt: z.string().nullable(),
    score: z.unknown().nullable(),
    engagement: z.unknown().nullable(),
    buyingGroups: z.array(z.unknown()),
    recentlyActiveContacts: z.array(z.unknown()),
    topInterests: z.array(z.unknown()),
    journeys: z.array(ProfileJourney),
    owner: z.string().nullable(),
  })
  .openapi('AccountProfile');
