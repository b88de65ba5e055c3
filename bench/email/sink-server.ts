// The bench's SMTP server (forked by sink.ts): a process of its own, as a relay
// is, so receiving 10,000 messages does not run on the engine's event loop. It
// accepts every message and counts each Message-ID, with its arrival time, and
// keeps the first copy as received, for the floor to send the same bytes again
// (MailDev parses and stores every message; its REST API is slow at that size).
import { writeFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import type { ReceivedMessage, SinkReply, SinkRequest } from './sink';

let seen = new Map<string, number>();
let kept: ReceivedMessage[] = [];
let arrivals: number[] = [];
let duplicates = 0;
let withoutId = 0;
let bytes = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      // latin1: one character per byte, so the text is the message as received.
      const raw = Buffer.concat(chunks).toString('latin1');
      // Unfolded: a long header may continue on the next line.
      const headers = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
      const id = /^message-id:\s*(\S+)/im.exec(headers)?.[1];
      bytes += raw.length;
      if (!id) withoutId++;
      else {
        const n = seen.get(id) ?? 0;
        seen.set(id, n + 1);
        if (n > 0) duplicates++;
        else {
          arrivals.push(Date.now());
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          kept.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw });
        }
      }
      callback();
    });
  },
});

process.on('message', (req: SinkRequest) => {
  if (req.type === 'reset') [seen, kept, arrivals, duplicates, withoutId, bytes] = [new Map(), [], [], 0, 0, 0];
  // One message a line: a file, not IPC, for 10,000 messages of several kilobytes.
  if (req.type === 'save') writeFileSync(req.file!, kept.map((m) => JSON.stringify(m)).join('\n'));
  const reply: SinkReply = {
    id: req.id,
    distinct: seen.size,
    duplicates,
    withoutId,
    bytes,
    firstAt: arrivals[0] ?? null,
    lastAt: arrivals[arrivals.length - 1] ?? null,
    ...(req.type === 'arrivals' ? { arrivals } : {}),
  };
  process.send!(reply);
});
// The parent gone (killed, crashed) means nobody will ask again.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.send!({ listening: typeof address === 'object' && address ? address.port : 0 });
});
