/**
 * Whether a failed send is worth trying again. A permanent failure is the
 * relay refusing this message for good (sending it again gets the same
 * answer): the message is dead. A transient one is anything that may go
 * differently later: the relay busy or down, the network, our own settings.
 */
export type SmtpFailureKind = 'permanent' | 'transient';

export interface SmtpFailure {
  kind: SmtpFailureKind;
  /**
   * The SMTP reply code with its enhanced status code when it has one (`550 5.1.1`), else the
   * error code with the socket's under it (`ESOCKET ECONNREFUSED`): safe to record and log, unlike the reply text, which often quotes the address.
   */
  code: string;
}

/** The shape of the errors nodemailer rejects with (and of Node's socket errors under them). */
export interface SmtpError {
  code?: string;
  /** The socket error's own code under nodemailer's (ECONNREFUSED under ESOCKET). */
  originalCode?: string;
  responseCode?: number;
  /** The reply text, read only for its enhanced status code (RFC 3463). */
  response?: string;
}

// Refused before anything was sent: the message names no usable recipient or too many.
const BAD_MESSAGE = new Set(['EENVELOPE', 'EMAXRECIPIENTS']);

export function classifySmtpFailure(err: SmtpError): SmtpFailure {
  const reply = err.responseCode;
  if (reply !== undefined) {
    const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(err.response ?? '')?.[1];
    return { kind: isPermanentReply(reply, err.code) ? 'permanent' : 'transient', code: enhanced ? `${reply} ${enhanced}` : String(reply) };
  }
  const code = [...new Set([err.code, err.originalCode])].filter((c) => c !== undefined).join(' ') || 'unknown';
  return { kind: err.code !== undefined && BAD_MESSAGE.has(err.code) ? 'permanent' : 'transient', code };
}

/**
 * RFC 5321: 5yz is a permanent refusal, 4yz a transient one. Two 5yz replies
 * are not about the message: 503 (bad sequence of commands) is the session's
 * state, which a new connection resets, and a refused login (EAUTH) is our
 * credentials, which failing every queued message for would lose them all.
 */
function isPermanentReply(reply: number, code: string | undefined): boolean {
  return reply >= 500 && reply < 600 && reply !== 503 && code !== 'EAUTH';
}
