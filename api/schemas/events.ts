import { EVENT_TYPES, eventNameProblem, MAX_EVENT_NAME } from '../../domain/events';
import { z } from '../zod';
import { FreeFormObject } from './free-form';
import { nonBlankText } from '../../domain/non-blank-text';
import { Email, Key } from './common';

const identifier = nonBlankText(320);

export const PersonIdentifiers = z
  .object({
    email: Email.optional(),
    anonymousId: identifier.optional(),
    crmId: identifier.optional(),
    leadId: identifier.optional(),
  })
  .strict()
  .refine((p) => p.email || p.anonymousId || p.crmId || p.leadId, { message: 'needs at least one of email, anonymousId, crmId, leadId' })
  .openapi('PersonIdentifiers', { anyOf: ['email', 'anonymousId', 'crmId', 'leadId'].map((id) => ({ required: [id] })) });

export const Event = z
  .object({
    eventId: z.string().min(1).max(200),
    type: z
      .string()
      .min(1)
      .max(MAX_EVENT_NAME)
      .superRefine((name, ctx) => {
        const problem = eventNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      // The document lists the built-in types; a registered custom name is taken too (checked against the registry).
      .openapi({ enum: [...EVENT_TYPES], description: 'a built-in type, or a custom name registered with PUT /v1/event-types/:name or first sent through the tracking API (GET /v1/event-types lists them); any other name is rejected' }),
    occurredAt: z.iso.datetime({ offset: true }),
    person: PersonIdentifiers,
    accountKey: Key.optional(),
    properties: FreeFormObject.optional(),
  })
  .strict()
  .openapi('Event');

export const MAX_EVENTS_PER_BATCH = 1000;

/** Envelope checked first; each event is then checked alone so one bad event rejects only itself. */
export const EventBatchEnvelope = z.object({ events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH) });

export const EventBatch = z.object({ events: z.array(Event).min(1).max(MAX_EVENTS_PER_BATCH) }).openapi('EventBatch');

export const IngestResponse = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.array(z.object({ index: z.number().int(), error: z.string(), details: z.array(z.object({ path: z.string(), message: z.string() })) })),
  })
  .openapi('IngestResponse');
