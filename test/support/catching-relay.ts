import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMessage {
  messageId: string;
  to: string[];
}

/**
 * A real SMTP server on loopback that keeps what it accepts, for what MailDev
 * cannot do: stop and start again on the same port (an outage), and hold a
 * message's DATA without answering (a send in flight when its worker dies).
 * A held message whose client hangs up is not kept, as a relay would not.
 */
export async function startCatchingRelay(opts: { port?: number; holdFirst?: boolean } = {}) {
  const caught: CaughtMessage[] = [];
  let hold = opts.holdFirst ?? false;
  const state = { holding: false, hungUp: false };
  let heldSession: string | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onClose(session) {
      if (session.id === heldSession) state.hungUp = true;
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        const messageId = /^message-id:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? '';
        if (hold) {
          hold = false;
          state.holding = true;
          // No answer: the sender waits, as for a slow relay, until it goes away.
          heldSession = session.id;
          return;
        }
        caught.push({ messageId, to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    caught,
    state,
    port,
    smtpUrl: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
