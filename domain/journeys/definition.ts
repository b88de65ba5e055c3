import { z } from 'zod';
import { conditionSchema } from '../condition-schema';
import { parseDuration } from '../duration';
import { eventNameSchema } from '../event-name';
import { nonBlankText } from '../non-blank-text';

const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const nodeId = z.string().regex(NODE_ID, 'must be 1-64 letters, digits, _ or -');
const duration = z
  .string()
  .max(40)
  .refine((d) => (parseDuration(d) ?? 0) > 0, { message: 'must be an ISO 8601 duration such as P3D or PT5S' });

const waitNode = z
  .object({ type: z.literal('wait'), duration: duration.optional(), until: z.iso.datetime({ offset: true }).optional(), next: nodeId })
  .strict()
  .refine((n) => (n.duration === undefined) !== (n.until === undefined), { message: 'give duration or until', path: ['duration'] })
  .meta({ oneOf: [{ required: ['duration'] }, { required: ['until'] }] });

const waitForEventNode = z
  .object({ type: z.literal('waitForEvent'), event: eventNameSchema, where: conditionSchema.optional(), timeout: duration, next: nodeId, onTimeout: nodeId })
  .strict();

export const splitTestSchema = z.union([
  conditionSchema,
  z.object({ buyingGroup: z.object({ solutionInterest: nonBlankText(200), complete: z.boolean().optional(), missingRole: nonBlankText(100).optional() }).strict() }).strict(),
  z.object({ score: z.object({ gte: z.number() }).strict() }).strict(),
]);

const splitNode = z
  .object({ type: z.literal('split'), branches: z.array(z.object({ when: splitTestSchema, next: nodeId }).strict()).min(1).max(20), otherwise: nodeId })
  .strict();

export const ACTIONS = ['sendEmail', 'addToLinkedInAudience', 'syncToCrm', 'notifySales', 'webhook', 'setAttribute', 'refreshBuyingGroup'] as const;
export type ActionName = (typeof ACTIONS)[number];

// Who at the account: every contact, the members of its buying groups with a role, or its people in a person segment.
const recipients = z.union([z.literal('allContacts'), z.object({ role: z.string().min(1).max(100) }).strict(), z.object({ segmentId: z.string().min(1).max(60) }).strict()]).default('allContacts');

/** Parameters per action, checked when the journey is saved. */
export const ACTION_PARAMS: Record<ActionName, z.ZodType> = {
  sendEmail: z.object({ template: z.string().min(1).max(200), to: recipients }).strict(),
  // `audience` is the key of an ad audience (PUT /v1/audiences/:key); its people named by `to` are added.
  addToLinkedInAudience: z.object({ audience: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be an audience key: 1-128 letters, digits or . _ : @ -'), to: recipients }).strict(),
  // `status` is the lead status the CRM is given instead of ours; `campaign` is added to the lead's tags; no `connection`: every one.
  syncToCrm: z.object({ to: recipients, connection: z.string().min(1).max(64).optional(), status: z.string().min(1).max(100).optional(), campaign: z.string().min(1).max(200).optional() }).strict(),
  // A task for the account's owner in each CRM connection (or the one named); an email to the owner when there is none.
  notifySales: z.object({ message: z.string().min(1).max(2000), connection: z.string().min(1).max(64).optional() }).strict(),
  webhook: z
    .object({
      url: z.url({ protocol: /^https?$/ }).max(2000),
      timeout: duration.optional(),
      body: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
  setAttribute: z.object({ name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/), value: z.union([z.string().max(1000), z.number(), z.boolean()]) }).strict(),
  refreshBuyingGroup: z.object({ roleTemplate: z.string().min(1).max(128) }).strict(),
};

const actionNode = z
  .object({ type: z.literal('action'), action: z.enum(ACTIONS), params: z.record(z.string(), z.unknown()).default({}), next: nodeId.optional(), onError: nodeId.optional(), onTimeout: nodeId.optional() })
  .strict();

const exitNode = z.object({ type: z.literal('exit') }).strict();

export const nodeSchema = z.discriminatedUnion('type', [waitNode, waitForEventNode, splitNode, actionNode, exitNode]);
export type JourneyNode = z.output<typeof nodeSchema>;

export const journeySchema = z
  .object({
    name: nonBlankText(200),
    entry: z.union([z.object({ segmentId: z.string().min(1).max(60) }).strict(), z.object({ event: eventNameSchema }).strict(), z.object({ manual: z.literal(true) }).strict()]),
    start: nodeId,
    nodes: z
      .record(nodeId, nodeSchema)
      .refine((n) => Object.keys(n).length >= 1 && Object.keys(n).length <= 200, { message: 'a journey has 1 to 200 nodes' })
      .meta({ minProperties: 1, maxProperties: 200, propertyNames: { pattern: NODE_ID.source } }),
    reentry: z.enum(['once', 'afterExit']).default('once'),
    exitWhen: z.union([conditionSchema, z.object({ performed: eventNameSchema, where: conditionSchema.optional() }).strict()]).optional(),
  })
  .strict()
  .meta({ id: 'Journey' });

export type JourneyDefinition = z.output<typeof journeySchema>;
