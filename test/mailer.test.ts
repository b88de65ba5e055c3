// Email goes out over real SMTP: to the test run's MailDev, read back through
// its REST API, and to relays that refuse or are not there at all.
import { outboundIdOf } from '../domain/email/message-id';
import { loadConfig } from '../lib/config';
import { closeMailers, MailSendError, sendMail, type OutgoingEmail } from '../lib/mailer';
import { freePort } from '../scripts/stack/ports';
import { eventually } from './support/harness';
import { CaughtEmail, header, mailDev } from './support/maildev';
import { startRefusingRelay } from './support/refusing-relay';
import { testServers } from './support/servers';

const inbox = mailDev();
const smtpUrl = testServers().smtpUrl;
const from = loadConfig({}).MAIL_FROM;

afterAll(closeMailers);

function email(messageId: string, overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    messageId,
    from,
    to: 'ann@acme.example',
    subject: 'Your AI readiness report',
    html: '<h1>Hello Ann</h1><p>Here is <a href="https://acme.example/report">your report</a>.</p>',
    text: 'Hello Ann\n\nHere is your report: https://acme.example/report',
    ...overrides,
  };
}

/** The caught email whose Message-ID names this outbound message, with its bodies and headers. */
async function caught(outboundId: string): Promise<CaughtEmail> {
  const summary = await eventually(async () => (await inbox.list()).find((m) => outboundIdOf(header(m, 'message-id') ?? '') === outboundId), {
    what: `the email of ${outboundId} in MailDev`,
  });
  return inbox.read(summary.id);
}

async function failureOf(promise: Promise<unknown>): Promise<MailSendError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailSendError);
  return err as MailSendError;
}

describe('sending email over SMTP', () => {
  test('an email arrives with its subject, HTML and text, its extra headers, and a Message-ID that leads back to the outbound message', async () => {
    const outboundId = 'email:journey-welcome:n-1:person-42';
    const sent = await sendMail(smtpUrl, email(outboundId, { headers: { 'List-Unsubscribe': '<https://acme.example/u/abc>' } }));
    expect(sent.response).toMatch(/^250 /);
    expect(outboundIdOf(sent.messageId)).toBe(outboundId);

    const message = await caught(outboundId);
    expect(message.subject).toBe('Your AI readiness report');
    expect(message.html).toContain('<h1>Hello Ann</h1>');
    expect(message.html).toContain('href="https://acme.example/report"');
    expect(message.text?.trim()).toBe('Hello Ann\n\nHere is your report: https://acme.example/report');
    expect(message.from).toEqual([{ address: 'marketing@example.com', name: 'Marketing' }]);
    expect(message.to.map((a) => a.address)).toEqual(['ann@acme.example']);
    expect(header(message, 'list-unsubscribe')).toBe('<https://acme.example/u/abc>');
    expect(header(message, 'message-id')).toBe(sent.messageId);
  });

  test('emails sent at once all arrive, each once and under its own Message-ID', async () => {
    await inbox.deleteAll();
    const ids = Array.from({ length: 8 }, (_, i) => `email:nurture-${i}:person-${i}`);
    const sent = await Promise.all(ids.map((id, i) => sendMail(smtpUrl, email(id, { to: `buyer${i}@acme.example` }))));
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(ids.length);
    for (const id of ids) expect(outboundIdOf(header(await caught(id), 'message-id') ?? '')).toBe(id);
    expect((await inbox.list()).length).toBe(ids.length);
  });

  test('an SMTP server that is not listening is a transient failure: the email is tried again later', async () => {
    const nowhere = `smtp://127.0.0.1:${await freePort()}`;
    const failure = await failureOf(sendMail(nowhere, email('email:no-relay:person-1')));
    expect(failure.kind).toBe('transient');
    expect(failure.code).toBe('ESOCKET ECONNREFUSED');
  });

  test('a relay that refuses the mailbox (550) is a permanent failure, and the failure does not repeat the address', async () => {
    const relay = await startRefusingRelay(550, '5.1.1');
    try {
      const failure = await failureOf(sendMail(relay.smtpUrl, email('email:bad-mailbox:person-2', { to: 'gone@acme.example' })));
      expect({ kind: failure.kind, code: failure.code }).toEqual({ kind: 'permanent', code: '550 5.1.1' });
      expect(failure.message).not.toContain('gone@acme.example');
    } finally {
      await closeMailers();
      await relay.close();
    }
  });

  test('a busy relay (451) is a transient failure', async () => {
    const relay = await startRefusingRelay(451, '4.7.1');
    try {
      const failure = await failureOf(sendMail(relay.smtpUrl, email('email:busy-relay:person-3')));
      expect({ kind: failure.kind, code: failure.code }).toEqual({ kind: 'transient', code: '451 4.7.1' });
    } finally {
      await closeMailers();
      await relay.close();
    }
  });
});
