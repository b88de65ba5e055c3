import { z } from '../zod';
import { Email, Key } from './common';
import { TopicKey } from './consent';
import { PersonIdParams } from './people';

export const TemplateKeyParams = z.object({ key: Key });

const Liquid = (max: number) => z.string().min(1).max(max);

/** `Name <address>` or a bare address, as a From header takes it. */
const From = z
  .string()
  .max(400)
  .refine((v) => {
    const angle = /^[^<>\r\n]*<([^<>\s]+)>$/.exec(v);
    return Email.safeParse(angle ? angle[1] : v).success;
  }, 'must be an address or Name <address>');

export const EmailTemplateInput = z
  .object({
    name: z.string().min(1).max(200),
    subject: Liquid(998),
    html: Liquid(500_000).optional(),
    mjml: Liquid(500_000).optional(),
    text: Liquid(500_000).optional(),
    from: From.optional(),
    topic: TopicKey.optional(),
    kind: z.enum(['marketing', 'operational']),
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.html === undefined) === (t.mjml === undefined)) ctx.addIssue({ code: 'custom', path: ['html'], message: 'give either html or mjml' });
    if (t.kind === 'marketing' && !t.topic) ctx.addIssue({ code: 'custom', path: ['topic'], message: 'a marketing email needs a subscription topic (its consent is per topic)' });
  })
  .openapi('EmailTemplateInput');

export const EmailTemplateView = z
  .object({
    key: z.string(),
    name: z.string(),
    subject: z.string(),
    html: z.string().optional(),
    mjml: z.string().optional(),
    text: z.string().optional(),
    from: z.string().optional(),
    topic: z.string().optional(),
    kind: z.enum(['marketing', 'operational']),
    updatedAt: z.string(),
  })
  .openapi('EmailTemplate');

export const PreviewInput = PersonIdParams.strict().openapi('EmailPreviewInput');
export const RenderedEmail = z.object({ subject: z.string(), html: z.string(), text: z.string() }).openapi('RenderedEmail');

export const TopicKeyParams = z.object({ key: TopicKey });

export const SubscriptionTopicInput = z.object({ name: z.string().min(1).max(200), requireOptIn: z.boolean().optional() }).strict().openapi('SubscriptionTopicInput');
export const SubscriptionTopicView = z.object({ key: z.string(), name: z.string(), requireOptIn: z.boolean() }).openapi('SubscriptionTopic');
