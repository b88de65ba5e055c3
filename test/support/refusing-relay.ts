import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface RefusingRelay {
  smtpUrl: string;
  close(): Promise<void>;
}

/**
 * A real SMTP server, on loopback, that answers every recipient with the
 * given reply (say 550 for a mailbox that does not exist, 451 for a relay
 * that is busy): what MailDev, which accepts everything, cannot show.
 * Like real relays, the reply quotes the recipient's address.
 */
export async function startRefusingRelay(code: number, enhancedStatus: string, port = 0): Promise<RefusingRelay> {
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no TLS upgrade with a certificate the client would not trust.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      callback(Object.assign(new Error(`${enhancedStatus} <${address.address}>: recipient refused`), { responseCode: code }));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.server.address() as AddressInfo).port;
  return { smtpUrl: `smtp://127.0.0.1:${bound}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
