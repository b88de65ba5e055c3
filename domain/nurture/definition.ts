import { IANAZone } from 'luxon';
import { z } from 'zod';
import { checkFields, type Condition } from '../condition';
import { conditionSchema } from '../condition-schema';
import { parseDuration } from '../duration';
import { ACTION_PARAMS } from '../journeys/definition';
import { nonBlankText } from '../non-blank-text';

/** The shape of the seed's Lead Nurture Stream: at most 7 stages of at most 15 campaigns, in strict order. */
export const MAX_STAGES = 7;
export const MAX_CAMPAIGNS = 15;

const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const campaignId = z.string().regex(CAMPAIGN_ID, 'must be 1-64 letters, digits, _ or -');

export const NURTURE_ACTIONS = ['notifySales', 'addToLinkedInAudience'] as const;
export type NurtureAction = (typeof NURTURE_ACTIONS)[number];

/** Parameters per action: a stream acts on one person, so the audience takes no `to`. */
export const NURTURE_ACTION_PARAMS: Record<NurtureAction, z.ZodType> = {
  notifySales: ACTION_PARAMS.notifySales,
  addToLinkedInAudience: z.object({ audience: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be an audience key: 1-128 letters, digits or . _ : @ -') }).strict(),
};

const emailCampaign = z.object({ id: campaignId, template: z.string().min(1).max(200) }).strict();
const actionCampaign = z
  .object({ id: campaignId, action: z.enum(NURTURE_ACTIONS), params: z.record(z.string(), z.unknown()).default({}) })
  .strict()
  .superRefine((c, ctx) => {
    const parsed = NURTURE_ACTION_PARAMS[c.action].safeParse(c.params);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['params', ...issue.path.map(String)], message: issue.message });
  });
export const campaignSchema = z.union([emailCampaign, actionCampaign]);
export type Campaign = z.output<typeof campaignSchema>;

const isoDuration = (min: number, hint: string) =>
  z
    .string()
    .max(40)
    .refine((d) => (parseDuration(d) ?? 0) >= min, { message: `must be an ISO 8601 duration of at least ${hint}` });

export const cadenceSchema = z
  .object({
    every: isoDuration(1000, 'PT1S (P7D, PT12H)'),
    /** ISO weekdays, 1 Monday … 7 Sunday: casts fall on these days only. */
    days: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'must not name a day twice')
      .optional(),
    /** Local time of day of each cast, in the person's zone, else the stream's. */
    at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM').optional(),
    timeZone: z.string().max(64).refine((z) => IANAZone.isValidZone(z), 'must be an IANA time zone such as Europe/Berlin').optional(),
  })
  .strict();
export type Cadence = z.output<typeof cadenceSchema>;

export const stageSchema = z
  .object({ name: nonBlankText(200), campaigns: z.array(campaignSchema).min(1).max(MAX_CAMPAIGNS), advanceWhen: conditionSchema.optional() })
  .strict();
export type Stage = z.output<typeof stageSchema>;

/** Conditions of a stream see the person (with score and status) and their account. */
const SCOPES = ['person', 'account'] as const;

function conditionIssues(c: Condition | undefined, at: (string | number)[], ctx: z.RefinementCtx): void {
  if (!c) return;
  for (const p of checkFields(c, SCOPES)) ctx.addIssue({ code: 'custom', path: [...at, ...p.path.split('.')], message: p.message });
}

export const nurtureStreamSchema = z
  .object({
    name: nonBlankText(200),
    // Manual unless named: enrolment by API (POST /v1/nurture-streams/:id/enroll).
    // By segment: its members join, now and as they enter; those who leave it stay unless keepOnLeave is false.
    entry: z.union([z.object({ segmentId: z.string().min(1).max(60), keepOnLeave: z.boolean().optional() }).strict(), z.object({ manual: z.literal(true) }).strict()]).default({ manual: true }),
    stages: z.array(stageSchema).min(1).max(MAX_STAGES),
    cadence: cadenceSchema,
    exitWhen: conditionSchema.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    // A campaign id names one campaign of the whole stream: positions and message ids are made of it.
    const seen = new Set<string>();
    s.stages.forEach((stage, i) => {
      conditionIssues(stage.advanceWhen, ['stages', i, 'advanceWhen'], ctx);
      stage.campaigns.forEach((c, j) => {
        if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['stages', i, 'campaigns', j, 'id'], message: `campaign id '${c.id}' is used twice in the stream` });
        seen.add(c.id);
      });
    });
    conditionIssues(s.exitWhen, ['exitWhen'], ctx);
  })
  .meta({ id: 'NurtureStream' });

export type NurtureDefinition = z.output<typeof nurtureStreamSchema>;

export const isEmail = (c: Campaign): c is Extract<Campaign, { template: string }> => 'template' in c;
