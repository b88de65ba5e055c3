import { ApplicationFailure } from '@temporalio/activity';
import type { DeliveryOutcome } from '../domain/delivery/message';
import { mayReceive } from '../domain/email/consent';
import { nextSendTime, type EmailLimits } from '../domain/email/send-window';
import { compileTemplate, renderEmail, type RenderedEmail } from '../domain/email/template';
import { trackEmailHtml } from '../domain/email/tracking';
import { personalDataView } from '../domain/masking';
import { emailContextFor } from '../lib/email-context';
import { signEmailToken } from '../lib/email-tokens';
import { MailSendError, sendMail } from '../lib/mailer';
import { op } from '../lib/query';
import { suppressedFor } from '../lib/suppressions';
import { Account } from '../models/account';
import { EmailSettings } from '../models/email-settings';
import { EmailTemplate } from '../models/email-template';
import { OutboundMessage } from '../models/outbound-message';
import { Person } from '../models/person';
import { SubscriptionTopic } from '../models/subscription-topic';

export interface EmailDeliverySettings {
  smtpUrl: string;
  from: string;
  publicUrl: string;
  tokenSecret: string;
}

type Message = { _id: string; channel: string; type: string; personId?: string | null; accountKey?: string | null; payload: Record<string, unknown>; status: string; reason?: string | null; scheduledFor?: Date | null; providerId?: string | null };

/** An email ready to go, or why it does not go (now or at all). */
type Prepared = { to: string; rendered: RenderedEmail; marketing: boolean; headers: Record<string, string>; from?: string } | { outcome: DeliveryOutcome };

const SENDER = personalDataView('admin');
const AS_DONE: Partial<Record<string, (m: Message) => DeliveryOutcome>> = {
  sent: (m) => ({ status: 'sent', providerId: m.providerId ?? undefined }),
  suppressed: (m) => ({ status: 'suppressed', reason: m.reason ?? 'suppressed' }),
  dead: (m) => ({ status: 'dead', reason: m.reason ?? 'dead' }),
};

async function settle(m: Message, outcome: DeliveryOutcome, extra: Record<string, unknown> = {}): Promise<DeliveryOutcome> {
  const now = new Date();
  const set: Record<string, unknown> = { status: outcome.status, updatedAt: now, ...extra };
  if (outcome.status === 'sent') Object.assign(set, { sentAt: now, providerId: outcome.providerId });
  if (outcome.status === 'deferred') Object.assign(set, { scheduledFor: new Date(outcome.scheduledFor), reason: outcome.reason });
  if (outcome.status === 'suppressed' || outcome.status === 'dead') set.reason = outcome.reason;
  const attempt = outcome.status === 'sent' ? { $push: { attempts: { at: now, ok: true } } } : {};
  await OutboundMessage.updateOne({ _id: m._id }, { $set: set, ...attempt });
  return outcome;
}

/** Marketing or operational email to a person, from a template: consent, suppressions and caps as they are now. */
async function templatedEmail(m: Message, settings: EmailDeliverySettings): Promise<Prepared> {
  const person = m.personId ? await Person.findOne({ _id: m.personId }).lean() : null;
  if (!person?.email) return { outcome: { status: 'suppressed', reason: 'the person has no email address' } };
  const key = String(m.payload.template);
  const template = await EmailTemplate.findOne({ _id: key }).lean();
  if (!template) return { outcome: { status: 'dead', reason: `email template '${key}' does not exist` } };
  const marketing = template.kind === 'marketing';
  const topic = template.topic ? await SubscriptionTopic.findOne({ _id: template.topic }).lean() : null;
  const suppressed = await suppressedFor(person.email, template.topic ?? undefined);
  if (suppressed) return { outcome: { status: 'suppressed', reason: suppressed } };
  const consent = mayReceive(person.consent as never, { kind: template.kind }, topic ? { key: topic._id, requireOptIn: topic.requireOptIn } : null);
  if (!consent.allowed) return { outcome: { status: 'suppressed', reason: consent.reason } };
  if (marketing) {
    const limits = ((await EmailSettings.findOne({ _id: 'email' }).lean()) ?? {}) as EmailLimits;
    const sent = (await OutboundMessage.find({ personId: person._id }, { status: 1, marketing: 1, sentAt: 1 }).lean()).filter((x) => x.status === 'sent' && x.marketing && x.sentAt && x._id !== m._id);
    const next = nextSendTime(Date.now(), sent.map((x) => x.sentAt!.getTime()), limits, (person.attributes as { timeZone?: string } | undefined)?.timeZone);
    if (next.at > Date.now() + 1000) return { outcome: { status: 'deferred', scheduledFor: new Date(next.at).toISOString(), reason: next.reason ?? 'held back' } };
  }
  const unsubscribeUrl = `${settings.publicUrl}/u/${signEmailToken({ m: m._id }, settings.tokenSecret)}`;
  const context = await emailContextFor(person._id, SENDER, { unsubscribeUrl });
  const { compiled, problems } = await compileTemplate({ subject: template.subject, html: template.html ?? undefined, mjml: template.mjml ?? undefined, text: template.text ?? undefined });
  if (!compiled || !context) return { outcome: { status: 'dead', reason: `email template '${key}' does not compile: ${problems[0]?.message ?? 'unknown problem'}` } };
  // RFC 8058: a POST to the URL unsubscribes; a GET (what link scanners do) only shows a page.
  const headers: Record<string, string> = marketing ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {};
  const rendered = renderEmail(compiled, context);
  // A person who said no to tracking gets the links as written and no pixel.
  const tracked = (person.consent as { tracking?: boolean } | undefined)?.tracking === false ? rendered : { ...rendered, html: trackEmailHtml(rendered.html, { publicUrl: settings.publicUrl, messageId: m._id, sign: (t) => signEmailToken(t, settings.tokenSecret) }) };
  return { to: person.email, rendered: tracked, marketing, headers, from: template.from ?? undefined };
}

/** A sales alert or a buying group shared with sales: an operational email to the account's owner. */
async function salesEmail(m: Message): Promise<Prepared> {
  const account = m.accountKey ? await Account.findOne({ _id: m.accountKey }).lean() : null;
  const to = (account?.attributes as { ownerEmail?: string } | undefined)?.ownerEmail ?? (account as { ownerEmail?: string } | null)?.ownerEmail;
  if (!to) return { outcome: { status: 'suppressed', reason: 'the account has no owner email (attributes.ownerEmail)' } };
  const name = account?.name ?? m.accountKey;
  const text = typeof m.payload.params === 'object' && m.payload.params && 'message' in m.payload.params ? String((m.payload.params as { message: string }).message) : `${m.type} for ${name}`;
  return { to, marketing: false, headers: {}, rendered: { subject: `Sales alert: ${name}`, text, html: `<p>${text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>` } };
}

/**
 * One attempt at one message. Everything that decides whether it goes is read
 * now, at the moment of sending: a person who opted out since it was queued
 * gets nothing. A message already sent, suppressed or dead is not touched (a
 * retried or replayed delivery sends nothing twice).
 */
export function makeEmailDelivery(settings: EmailDeliverySettings) {
  return {
    async deliverEmail(input: { messageId: string }): Promise<DeliveryOutcome> {
      const m = (await OutboundMessage.findOne({ _id: input.messageId }).lean()) as Message | null;
      if (!m) throw ApplicationFailure.nonRetryable(`outbound message '${input.messageId}' does not exist`, 'UnknownMessage');
      const done = AS_DONE[m.status];
      if (done) return done(m);
      const prepared = m.channel === 'sales' ? await salesEmail(m) : await templatedEmail(m, settings);
      if ('outcome' in prepared) return settle(m, prepared.outcome);
      try {
        const sent = await sendMail(settings.smtpUrl, { messageId: m._id, from: prepared.from ?? settings.from, to: prepared.to, ...prepared.rendered, headers: prepared.headers });
        return await settle(m, { status: 'sent', providerId: sent.response }, { marketing: prepared.marketing });
      } catch (err) {
        if (!(err instanceof MailSendError)) throw err;
        await OutboundMessage.updateOne({ _id: m._id }, { $set: { status: 'failed', reason: err.message, updatedAt: new Date() }, $push: { attempts: { at: new Date(), ok: false, error: err.message } } });
        if (err.kind === 'permanent') throw ApplicationFailure.nonRetryable(err.message, 'PermanentSendFailure');
        throw ApplicationFailure.retryable(err.message, 'TransientSendFailure');
      }
    },

    /** A permanent error or spent retries: dead, visible, and sendable again by a re-drive. */
    async markDead(input: { messageId: string; reason: string }): Promise<DeliveryOutcome> {
      await OutboundMessage.updateOne({ _id: input.messageId, status: op({ $nin: ['sent', 'suppressed'] }) }, { $set: { status: 'dead', reason: input.reason, updatedAt: new Date() } });
      return { status: 'dead', reason: input.reason };
    },
  };
}
