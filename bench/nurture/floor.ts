// The floor: the stream's emails as the SMTP server received them, byte for
// byte, sent again by bench/email/floor.ts's bare pooled nodemailer transport
// (the better of two runs). They go to an SMTP server of their own (a second
// bench/email/sink.ts), so the casting workflows, still running beside it,
// cannot add to its count; the machine they share is the same.
import { rawSends } from '../email/floor';
import type { ReceivedMessage } from '../email/sink';
import { startSink } from '../email/sink';
import type { BenchStack } from '../stack';
import { round } from '../stats';

export async function rawFloor(stack: BenchStack, messages: ReceivedMessage[]) {
  if (!messages.length) return { skipped: 'the SMTP server had received no email of the stream to send again', runs: [], floorPerMinute: null };
  const sink = await startSink();
  try {
    const own = { ...stack, smtp: sink, config: { ...stack.config, SMTP_URL: sink.smtpUrl } } as BenchStack;
    const runs = [await rawSends(own, messages), await rawSends(own, messages)];
    return { runs, floorPerMinute: round(Math.max(...runs.map((r) => r.perSecond)) * 60) };
  } finally {
    await sink.stop();
  }
}
