import fc from 'fast-check';
import { messageIdFor, outboundIdOf } from './message-id';

// RFC 5322 msg-id (its dot-atom-text form): atext runs joined by single dots, either side of the '@'.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const MSG_ID = new RegExp(`^<${DOT_ATOM}@${DOT_ATOM}>$`);

describe('the Message-ID of an outbound email', () => {
  test('names the outbound message, colons and all, in a form every mail server accepts', () => {
    const id = messageIdFor('email:journey-welcome:n-1:person-42');
    expect(id).toBe('<email%3Ajourney-welcome%3An-1%3Aperson-42@b2b-engine>');
    expect(id).toMatch(MSG_ID);
  });

  test('any outbound message id gives a valid Message-ID that leads back to exactly that id', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), (outboundId) => {
        const id = messageIdFor(outboundId);
        expect(id).toMatch(MSG_ID);
        expect(outboundIdOf(id)).toBe(outboundId);
      }),
    );
  });

  test('characters a Message-ID may not hold or may not repeat are encoded: parentheses, dots, spaces, quotes, non-ASCII', () => {
    for (const outboundId of ['a(b)c', 'a..b', '.lead', 'trail.', 'with space', 'say "hi"', 'Zoë@münchen', '<x>', '100%']) {
      expect(messageIdFor(outboundId)).toMatch(MSG_ID);
      expect(outboundIdOf(messageIdFor(outboundId))).toBe(outboundId);
    }
  });

  test('is read back as quoted in a bounce: with surrounding spaces, or without its angle brackets', () => {
    expect(outboundIdOf('  <email%3Aa%3Ab@b2b-engine>\r\n')).toBe('email:a:b');
    expect(outboundIdOf('email%3Aa%3Ab@b2b-engine')).toBe('email:a:b');
    expect(outboundIdOf('<email%3Aa%3Ab@B2B-Engine>')).toBe('email:a:b');
  });

  test("a Message-ID that is not ours names no outbound message", () => {
    expect(outboundIdOf('<CAF=abc123@mail.gmail.com>')).toBeUndefined();
    expect(outboundIdOf('<email%3Aa@b2b-engine.example.com>')).toBeUndefined();
    expect(outboundIdOf('<bad%zz@b2b-engine>')).toBeUndefined();
    expect(outboundIdOf('<has.dot@b2b-engine>')).toBeUndefined();
    expect(outboundIdOf('')).toBeUndefined();
  });

  test('an empty outbound id has no Message-ID', () => {
    expect(() => messageIdFor('')).toThrow();
  });
});
