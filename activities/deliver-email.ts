import { Context } from '@temporalio/activity';
import type { Lane } from '../domain/delivery/lanes';
import type { AttemptResult, DeliveryOutcome } from '../domain/delivery/message';
import type { BatchResult, DeliveryRetry } from '../domain/delivery/queues';
import { mayReceive } from '../domain/email/consent';
import { nextSendTime } from '../domain/email/send-window';
import { renderEmail, type RenderedEmail } from '../domain/email/template';
import { trackEmailHtml } from '../domain/email/tracking';
import { personalDataView } from '../domain/masking';
import { emailContextOf } from '../lib/email-context';
import { readEmailBatch, type EmailBatchData } from '../lib/email-batch';
import { signEmailToken } from '../lib/email-tokens';
import { MailSendError, sendMail } from '../lib/mailer';
import { normalAddress, suppressionReason } from '../lib/suppressions';
import { releaseMarketingSend, reserveMarketingSend } from '../lib/marketing-ledger';
import { batchSettler, claimedMessages, type ClaimedMessage } from '../lib/delivery-batch';

export interface EmailDeliverySettings {
  smtpUrl: string;
  from: string;
  publicUrl: string;
  tokenSecret: string;
}

type Message = ClaimedMessage;

/** An email ready to go, or why it does not go (now or at all). */
type Prepared = { to: string; rendered: RenderedEmail; marketing: boolean; headers: Record<string, string>; from?: string } | { outcome: DeliveryOutcome };

const SENDER = personalDataView('admin');

/** Marketing or operational email to a person, from a template: consent, suppressions and caps as they are now. */
function templatedEmail(m: Message, data: EmailBatchData, settings: EmailDeliverySettings, now: number): Prepared {
  const person = m.personId ? data.people.get(m.personId) : undefined;
  if (!person?.email) return { outcome: { status: 'suppressed', reason: 'the person has no email address' } };
  const key = String(m.payload.template);
  const template = data.templates.get(key);
  if (!template) return { outcome: { status: 'dead', reason: `email template '${key}' does not exist` } };
  if (!template.compiled) return { outcome: { status: 'dead', reason: `email template '${key}' does not compile: ${template.problem}` } };
  const marketing = template.kind === 'marketing';
  const topic = template.topic ? data.topics.get(template.topic) : undefined;
  const suppressed = suppressionReason(data.suppressions.get(normalAddress(person.email)) ?? [], template.topic ?? undefined);
  if (suppressed) return { outcome: { status: 'suppressed', reason: suppressed } };
  const consent = mayReceive(person.consent as never, { kind: template.kind }, topic ? { key: topic._id, requireOptIn: topic.requireOptIn } : null);
  if (!consent.allowed) return { outcome: { status: 'suppressed', reason: consent.reason } };
  if (marketing) {
    const sent = data.sentMarketing.get(person._id) ?? [];
    const next = nextSendTime(now, sent, data.limits, (person.attributes as { timeZone?: string } | undefined)?.timeZone);
    if (next.at > now + 1000) return { outcome: { status: 'deferred', scheduledFor: new Date(next.at).toISOString(), reason: next.reason ?? 'held back' } };
    // A second message to the same person in this batch counts this one against the caps.
    data.sentMarketing.set(person._id, [...sent, now]);
  }
  const unsubscribeUrl = `${settings.publicUrl}/u/${signEmailToken({ m: m._id }, settings.tokenSecret)}`;
  const account = person.accountKey ? (data.accounts.get(person.accountKey) ?? null) : null;
  const context = emailContextOf(person, account, data.groupsOf(person._id, person.accountKey), SENDER, { unsubscribeUrl });
  // RFC 8058: a POST to the URL unsubscribes; a GET (what link scanners do) only shows a page.
  const headers: Record<string, string> = marketing ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {};
  const rendered = renderEmail(template.compiled, context);
  // A person who said no to tracking gets the links as written and no pixel.
  const tracked = (person.consent as { tracking?: boolean } | undefined)?.tracking === false ? rendered : { ...rendered, html: trackEmailHtml(rendered.html, { publicUrl: settings.publicUrl, messageId: m._id, sign: (t) => signEmailToken(t, settings.tokenSecret) }) };
  return { to: person.email, rendered: tracked, marketing, headers, from: template.from ?? undefined };
}

/** A sales alert or a buying group shared with sales: an operational email to the account's owner. */
function salesEmail(m: Message, data: EmailBatchData): Prepared {
  const account = m.accountKey ? data.accounts.get(m.accountKey) : undefined;
  const to = (account?.attributes as { ownerEmail?: string } | undefined)?.ownerEmail ?? (account as { ownerEmail?: string } | undefined)?.ownerEmail;
  if (!to) return { outcome: { status: 'suppressed', reason: 'the account has no owner email (attributes.ownerEmail)' } };
  const name = account?.name ?? m.accountKey;
  const text = typeof m.payload.params === 'object' && m.payload.params && 'message' in m.payload.params ? String((m.payload.params as { message: string }).message) : `${m.type} for ${name}`;
  return { to, marketing: false, headers: {}, rendered: { subject: `Sales alert: ${name}`, text, html: `<p>${text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>` } };
}

/**
 * With a cap set, a marketing email takes its place in the person's ledger
 * before it goes: an email to the same person in a batch running beside this
 * one counts too, and the later of the two is deferred.
 */
async function placed(m: Message, prepared: Prepared, data: EmailBatchData, now: number): Promise<{ prepared: Prepared; reserved: boolean }> {
  const capped = data.limits.maxPerDay !== undefined || data.limits.maxPerWeek !== undefined;
  if ('outcome' in prepared || !prepared.marketing || !capped || !m.personId) return { prepared, reserved: false };
  const zone = (data.people.get(m.personId)?.attributes as { timeZone?: string } | undefined)?.timeZone;
  const { deferredTo } = await reserveMarketingSend(m.personId, m._id, now, data.sentBefore.get(m.personId) ?? [], (sentAt) => nextSendTime(now, sentAt, data.limits, zone));
  if (!deferredTo) return { prepared, reserved: true };
  return { prepared: { outcome: { status: 'deferred', scheduledFor: new Date(deferredTo.at).toISOString(), reason: deferredTo.reason ?? 'held back' } }, reserved: false };
}

async function send(m: Message, prepared: Prepared, settings: EmailDeliverySettings): Promise<AttemptResult> {
  if ('outcome' in prepared) return prepared.outcome;
  try {
    const sent = await sendMail(settings.smtpUrl, { messageId: m._id, from: prepared.from ?? settings.from, to: prepared.to, ...prepared.rendered, headers: prepared.headers });
    return { status: 'sent', providerId: sent.response };
  } catch (err) {
    if (!(err instanceof MailSendError)) throw err;
    return { status: 'failed', error: err.message, permanent: err.kind === 'permanent' };
  }
}

/**
 * One claimed batch of a lane's email: everything that decides whether each
 * message goes is read now, at the moment of sending, once for the batch; each
 * message is sent through the pooled transport and its result recorded right
 * after its send. A retried attempt (a worker killed mid-batch) finds only the
 * messages not yet settled still in the claim, so nothing is sent twice.
 */
export function makeEmailDelivery(settings: EmailDeliverySettings) {
  return {
    async deliverEmails(input: { lane: Lane; claimId: string; retry: DeliveryRetry }): Promise<BatchResult> {
      const claimed = await claimedMessages(input.lane, input.claimId);
      const data = await readEmailBatch(claimed);
      const now = Date.now();
      const ctx = Context.current();
      const settler = batchSettler(input.lane, input.retry);
      await Promise.all(
        claimed.map(async (m) => {
          const { prepared, reserved } = await placed(m, m.channel === 'sales' ? salesEmail(m, data) : templatedEmail(m, data, settings, now), data, now);
          // An attempt the server gave up on (its heartbeat timed out) sends nothing more: its retry owns the claim (and the place).
          if (ctx.cancellationSignal.aborted) return;
          const result = await send(m, prepared, settings);
          if (reserved && result.status !== 'sent') await releaseMarketingSend(m.personId!, m._id);
          await settler.settle(m, result, result.status === 'sent' && 'marketing' in prepared ? { marketing: prepared.marketing } : {});
        }),
      );
      return { settled: claimed.length, nextDueAt: settler.nextDueAt() };
    },
  };
}
