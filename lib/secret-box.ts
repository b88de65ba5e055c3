import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Credentials we must keep but never show (a CRM's access token, the secret
 * of its inbound door), sealed with AES-256-GCM under a key derived from a
 * configured passphrase. A sealed value is bound to its context (which
 * connection, which field): copied onto another record in the database it
 * does not open.
 */
export interface SecretBox {
  seal(plain: string, context: string): string;
  /** Throws when the value was altered, sealed for another context or under another key. */
  open(sealed: string, context: string): string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
// Fixed, so a shortened tag is refused rather than checked on fewer bytes.
const TAG_BYTES = 16;

export function secretBox(passphrase: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', passphrase, 'b2b-secret-box', VERSION, 32));
  return {
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES }).setAAD(Buffer.from(context));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), data].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== VERSION || data === undefined) throw new Error('not a sealed secret of this version');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES }).setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
