import { createTransport } from 'nodemailer';
import { messageIdFor } from '../domain/email/message-id';
import { classifySmtpFailure, type SmtpError, type SmtpFailureKind } from '../domain/email/smtp-failure';

export interface OutgoingEmail {
  /** The outbound message this email is: its Message-ID names it (domain/email/message-id), so bounces trace back. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Further headers, such as List-Unsubscribe. */
  headers?: Record<string, string>;
}

export interface SentEmail {
  /** The Message-ID header it went out with. */
  messageId: string;
  /** The relay's final reply, such as `250 2.0.0 Ok: queued as 4Xy7Z`: its own id for the message. */
  response: string;
}

/** A send that failed, permanent (the relay refused this message for good) or transient (try again later). */
export class MailSendError extends Error {
  readonly name = 'MailSendError';
  constructor(
    readonly kind: SmtpFailureKind,
    /** The SMTP reply code (with its enhanced status) or the error code. */
    readonly code: string,
  ) {
    // Only the code: the relay's reply text often quotes the recipient's address, and this message
    // ends up in workflow histories and on the outbound message. Nor is the original error kept as
    // its cause, which would carry that text along.
    super(`${kind === 'permanent' ? 'the SMTP relay refused the message' : 'the email could not be sent now'} (${code})`);
  }
}

type Transport = ReturnType<typeof pooledTransport>;

/** One pool of SMTP connections per relay URL, for the life of the process. */
const transports = new Map<string, Transport>();

function pooledTransport(smtpUrl: string) {
  return createTransport({
    url: smtpUrl,
    pool: true,
    // Content comes from templates: nothing in a message may make the process read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    // Well inside the delivery activity's 30 s: an attempt gives up on a silent relay before Temporal retries it,
    // so two attempts of one message are never in flight at once.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}

/** Sends one email through the relay at smtpUrl; rejects with a MailSendError. */
export async function sendMail(smtpUrl: string, email: OutgoingEmail): Promise<SentEmail> {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = pooledTransport(smtpUrl);
    transports.set(smtpUrl, transport);
  }
  try {
    const info = await transport.sendMail({
      from: email.from,
      to: email.to,
      subject: email.subject,
      html: email.html,
      text: email.text,
      headers: email.headers,
      messageId: messageIdFor(email.messageId),
    });
    return { messageId: info.messageId, response: info.response };
  } catch (err) {
    const failure = classifySmtpFailure(err as SmtpError);
    throw new MailSendError(failure.kind, failure.code);
  }
}

/** Closes every pooled connection (on shutdown: open SMTP sockets would keep the process alive). */
export async function closeMailers(): Promise<void> {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}
