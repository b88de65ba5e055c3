import { z } from '../zod';

const text = z.string().max(4096);
/** userId, anonymousId, groupId, previousId: a string, or a number as some SDKs send ids (read as its text). */
const id = z.union([text, z.number()]);
const free = z.record(z.string(), z.unknown());

/** A message of the Segment tracking spec, as analytics.js, analytics-node and RudderStack send it; fields not named here are taken and ignored. */
export const SegmentMessage = z
  .object({
    type: z.enum(['track', 'identify', 'page', 'screen', 'group', 'alias']).optional().describe('implied by the single-message routes'),
    messageId: z.union([z.string().max(200), z.number()]).optional().describe('the event id: a message sent again with it counts once'),
    userId: id.optional(),
    anonymousId: id.optional(),
    event: z.string().max(100).optional().describe('track: the event name, kept as its type'),
    name: text.optional().describe('page/screen: the page name'),
    properties: free.optional(),
    traits: free.optional().describe('identify: person traits; group: account traits'),
    groupId: id.optional().describe('group: the account key'),
    previousId: id.optional().describe('alias: the id merged into userId'),
    context: free.optional().describe('ip, userAgent, campaign (UTM), page, groupId, traits are read'),
    timestamp: z.string().optional(),
    originalTimestamp: z.string().optional(),
    sentAt: z.string().optional(),
    writeKey: z.string().optional().describe('the write key, when not sent as HTTP Basic user'),
    integrations: free.optional(),
  })
  .passthrough()
  .openapi('SegmentMessage');

export const SegmentBatch = z
  .object({
    batch: z.array(SegmentMessage),
    sentAt: z.string().optional(),
    writeKey: z.string().optional(),
    context: free.optional().describe('merged into every message'),
    integrations: free.optional(),
  })
  .passthrough()
  .openapi('SegmentBatch');

/** Checked before the messages, which are read one by one so one bad message refuses only itself. */
export const SegmentBatchEnvelope = z.object({ batch: z.array(z.unknown()), sentAt: z.unknown().optional(), context: z.unknown().optional() }).passthrough();
export const SegmentMessageEnvelope = z.record(z.string(), z.unknown());

export const TrackingAnswer = z
  .object({
    success: z.literal(true),
    rejected: z
      .array(z.object({ index: z.number().int(), messageId: z.string().optional(), path: z.string(), message: z.string() }))
      .optional()
      .describe('messages that can never be applied, each refused alone (the others are)'),
  })
  .openapi('TrackingAnswer');
