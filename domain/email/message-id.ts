/**
 * The Message-ID of an outbound email names the outbound message it was sent
 * for, so a bounce or a reply (which quote it) leads back to that message.
 *
 * Outbound ids hold characters a Message-ID may not (':' among them; RFC 5322
 * allows only atext and single dots left of the '@'), so the id is
 * percent-encoded: letters, digits, '-' and '_' stay, every other character
 * becomes %XX of its UTF-8 bytes. '%' is atext itself, and the encoding has
 * no dots, so any id gives a valid Message-ID and decodes back to itself.
 */
const DOMAIN = 'b2b-engine';

export function messageIdFor(outboundId: string): string {
  if (outboundId === '') throw new Error('an outbound message id is not empty');
  // encodeURIComponent keeps . ! ~ * ' ( ) as they are; the parentheses are not atext and a dot may not repeat.
  const local = encodeURIComponent(outboundId).replace(/[.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `<${local}@${DOMAIN}>`;
}

/** The outbound message id a Message-ID names, or undefined when it is not one of ours (or not well-formed). */
export function outboundIdOf(messageId: string): string | undefined {
  const match = /^\s*<?([A-Za-z0-9_%-]+)@([^>\s]+)>?\s*$/.exec(messageId);
  if (!match || match[2].toLowerCase() !== DOMAIN) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    // a malformed %-sequence: not an id we encoded
    return undefined;
  }
}
