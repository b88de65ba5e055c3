import { classifySmtpFailure } from './smtp-failure';

describe('whether a failed email is tried again', () => {
  test('a relay that refuses the message for good (5xx) makes it permanent: the email is not sent again', () => {
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <gone@acme.example>: Recipient address rejected' })).toEqual({
      kind: 'permanent',
      code: '550 5.1.1',
    });
    expect(classifySmtpFailure({ code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 Message rejected as spam' })).toEqual({ kind: 'permanent', code: '554 5.7.1' });
    expect(classifySmtpFailure({ code: 'EMESSAGE', responseCode: 552 })).toEqual({ kind: 'permanent', code: '552' });
  });

  test('a relay that says "not now" (4xx) makes it transient: the email is tried again later', () => {
    expect(classifySmtpFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 4.7.1 Greylisted, try again later' })).toEqual({ kind: 'transient', code: '451 4.7.1' });
    expect(classifySmtpFailure({ code: 'ECONNECTION', responseCode: 421, response: '421 Service not available' })).toEqual({ kind: 'transient', code: '421' });
  });

  test('a relay that cannot be reached, times out or drops the line makes it transient', () => {
    expect(classifySmtpFailure({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' })).toEqual({ kind: 'transient', code: 'ESOCKET ECONNREFUSED' });
    for (const code of ['ESOCKET', 'ECONNECTION', 'ETIMEDOUT', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ETLS']) {
      expect(classifySmtpFailure({ code })).toEqual({ kind: 'transient', code });
    }
  });

  test('refused credentials and a confused session are ours to fix, not the email\'s: transient despite their 5xx', () => {
    expect(classifySmtpFailure({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication credentials invalid' })).toEqual({ kind: 'transient', code: '535 5.7.8' });
    expect(classifySmtpFailure({ code: 'EPROTOCOL', responseCode: 503, response: '503 5.5.1 Bad sequence of commands' })).toEqual({ kind: 'transient', code: '503 5.5.1' });
  });

  test('an email with no usable recipient is permanent before any relay answers', () => {
    expect(classifySmtpFailure({ code: 'EENVELOPE' })).toEqual({ kind: 'permanent', code: 'EENVELOPE' });
  });

  test('an error of no known kind is transient: retries are bounded, a lost email is not', () => {
    expect(classifySmtpFailure({})).toEqual({ kind: 'transient', code: 'unknown' });
  });
});
