import { personalDataView } from '../../domain/masking';
import { changeConsent } from '../../lib/consent-store';
import { recheckPeople } from '../../lib/nurture-recheck';
import { suppress } from '../../lib/suppressions';
import { EmailSettings } from '../../models/email-settings';
import { OutboundMessage } from '../../models/outbound-message';
import { Person } from '../../models/person';
import { Suppression } from '../../models/suppression';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { z } from '../zod';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');
const timeZone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Amsterdam');
const EmailSettingsInput = z
  .object({
    maxPerDay: z.number().int().min(1).max(1000).optional(),
    maxPerWeek: z.number().int().min(1).max(5000).optional(),
    sendWindow: z.object({ days: z.array(z.number().int().min(1).max(7)).min(1).max(7), from: HHMM, to: HHMM }).strict().refine((w) => w.from < w.to, { message: 'from must be before to', path: ['to'] }).optional(),
    timeZone: timeZone.optional(),
  })
  .strict()
  .meta({ id: 'EmailSettings' });

/** Caps and send window of marketing email, bounces and complaints, and the suppression list. */
export function emailDeliveryRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/settings/email',
    tag: 'Email',
    summary: 'Caps per person (rolling day and week) and the send window of marketing email; a message held back is deferred to the next allowed moment, never dropped',
    roles: ['admin', 'marketer'],
    body: EmailSettingsInput,
    responses: { 200: { description: 'saved', schema: EmailSettingsInput } },
    handler: async ({ body }) => {
      await EmailSettings.replaceOne({ _id: 'email' }, { ...body, updatedAt: new Date() }, { upsert: true });
      return { status: 200, body };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/settings/email',
    tag: 'Email',
    summary: 'The caps and send window of marketing email',
    roles: ['admin', 'marketer', 'operator'],
    responses: { 200: { description: 'the settings', schema: EmailSettingsInput } },
    handler: async () => {
      const s = await EmailSettings.findOne({ _id: 'email' }).lean();
      const { _id, updatedAt, ...settings } = s ?? { _id: 'email', updatedAt: undefined };
      return { status: 200, body: settings };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/email-feedback',
    tag: 'Email',
    summary: 'A bounce or complaint for a sent message: a hard bounce or a complaint suppresses the address for all email; a soft bounce changes nothing (the relay retries)',
    roles: ['admin', 'ingest'],
    body: z.object({ messageId: z.string().min(1).max(400), type: z.enum(['hard_bounce', 'soft_bounce', 'complaint']) }).strict(),
    responses: {
      200: { description: 'recorded', schema: z.object({ messageId: z.string(), suppressed: z.boolean() }) },
      404: { description: 'not_found: no e-mail message with this id' },
      409: { description: 'conflict: the message has no recipient address on record' },
    },
    handler: async ({ body }) => {
      const m = await OutboundMessage.findOne({ _id: body.messageId }, { personId: 1, channel: 1 }).lean();
      if (!m || m.channel !== 'email') throw ApiError.notFound(`email message '${body.messageId}'`);
      if (body.type === 'soft_bounce') return { status: 200, body: { messageId: body.messageId, suppressed: false } };
      const person = m.personId ? await Person.findOne({ _id: m.personId }, { email: 1 }).lean() : null;
      if (!person?.email) throw ApiError.conflict('the message has no recipient address on record');
      await suppress({ email: person.email, personId: person._id, scope: 'all', reason: body.type, source: `feedback:${body.messageId}` });
      // A complaint is also a clear no to marketing email.
      if (body.type === 'complaint') {
        await changeConsent(person._id, { email: false }, { source: 'bounce', ref: body.messageId });
        await recheckPeople(deps.delivery, [person._id]);
      }
      return { status: 200, body: { messageId: body.messageId, suppressed: true } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/suppressions',
    tag: 'Email',
    summary: 'Addresses that get no more email of a scope (all, or a topic), with why and since when',
    roles: ['admin', 'marketer', 'operator'],
    query: z.object({ personId: z.string().min(1).max(100) }).strict(),
    responses: { 200: { description: 'suppressions', schema: z.object({ items: z.array(z.object({ personId: z.string().nullable(), email: z.string(), scope: z.string(), reason: z.string(), at: z.string(), source: z.string() })) }) } },
    handler: async ({ query, auth }) => {
      const view = personalDataView(auth.role);
      const items = (await Suppression.find({ personId: query.personId }).lean()).map((s) => ({
        personId: s.personId ?? null,
        email: view.identifier('email', s.email),
        scope: s.scope,
        reason: s.reason,
        at: s.at.toISOString(),
        source: s.source,
      }));
      return { status: 200, body: { items } };
    },
  });
}
