// The floor: the messages the path delivered, byte for byte as the SMTP server
// received them, sent again through a bare pooled nodemailer transport to the
// same server. Nothing but SMTP: no database, no Temporal, no rendering, not
// even nodemailer's MIME build (the bytes go as they are), so the floor is, if
// anything, a little faster than composing the same messages would be.
import { createTransport } from 'nodemailer';
import { forEachLimit, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, round } from '../stats';
import type { ReceivedMessage } from './sink';

/** The worker's maxConcurrentActivityTaskExecutions (workers/options.ts): the path has at most this many sends in flight too. */
export const IN_FLIGHT = 20;

/** Sends every message through a fresh transport with lib/mailer's pool settings (nodemailer's defaults) and checks the server holds them all. */
export async function rawSends(stack: BenchStack, messages: ReceivedMessage[]) {
  await stack.smtp.reset();
  const transport = createTransport({ url: stack.config.SMTP_URL, pool: true, disableFileAccess: true, disableUrlAccess: true });
  const start = Date.now();
  try {
    await forEachLimit(messages, IN_FLIGHT, async (m) => void (await within(transport.sendMail({ envelope: { from: m.from, to: m.to }, raw: Buffer.from(m.raw, 'latin1') }), 60000, 'a raw send')));
  } finally {
    transport.close();
  }
  const ms = Date.now() - start;
  const sink = await stack.smtp.stats();
  if (sink.distinct !== messages.length) throw new Error(`the SMTP server holds ${sink.distinct} of the ${messages.length} raw sends`);
  return {
    messages: messages.length,
    inFlight: IN_FLIGHT,
    ms,
    perSecond: ratePerSecond(messages.length, ms),
    duplicates: sink.duplicates,
    meanBytes: round(sink.bytes / Math.max(1, messages.length)),
  };
}
