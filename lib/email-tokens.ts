import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What a link in an email carries: the outbound message it belongs to, and for
 * a tracked click the target. Signed, so nobody can unsubscribe or click for
 * someone else by guessing ids; not secret (it names only our own ids).
 */
export interface EmailToken {
  /** The outbound message id. */
  m: string;
  /** A tracked link's target. */
  u?: string;
}

const mac = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);

export function signEmailToken(token: EmailToken, secret: string): string {
  const body = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${body}.${mac(body, secret)}`;
}

/** The token's content, or undefined when it was not signed by us or was altered. */
export function readEmailToken(text: string, secret: string): EmailToken | undefined {
  const [body, sig] = text.split('.');
  if (!body || !sig) return undefined;
  const expected = Buffer.from(mac(body, secret));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const token = JSON.parse(Buffer.from(body, 'base64url').toString()) as EmailToken;
    return typeof token.m === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}
