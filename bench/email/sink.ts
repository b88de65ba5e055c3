// The counting SMTP server the bench stack sends email to (sink-server.ts, in a
// child process), and its questions over IPC: how many distinct Message-IDs
// arrived since the last reset, how many copies came twice, when, and what
// exactly arrived.
import { fork } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { within } from '../scenario';

export type SinkRequest = { id: number; type: 'stats' | 'reset' | 'arrivals' | 'save'; file?: string };

/** A message as the server received it: its envelope and its bytes (latin1, one character a byte). */
export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: string;
}

export interface SinkStats {
  distinct: number;
  /** Messages whose Message-ID had already arrived since the last reset. */
  duplicates: number;
  withoutId: number;
  bytes: number;
  /** This machine's clock (the child's is the same), at the first and the latest new Message-ID. */
  firstAt: number | null;
  lastAt: number | null;
}

export type SinkReply = SinkStats & { id: number; arrivals?: number[] };

export interface SmtpSink {
  smtpUrl: string;
  stats(): Promise<SinkStats>;
  /** Forgets everything received: the next phase counts only its own messages. */
  reset(): Promise<SinkStats>;
  /** The time each distinct Message-ID first arrived, in order. */
  arrivals(): Promise<number[]>;
  /** The first copy of each distinct Message-ID, in the order they arrived. */
  received(): Promise<ReceivedMessage[]>;
  stop(): Promise<void>;
}

const ANSWER_MS = 30000;

export async function startSink(): Promise<SmtpSink> {
  // The parent's execArgv (tsx's loader) is inherited: the child runs TypeScript too.
  const child = fork(require.resolve('./sink-server'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await within(exited, 10000, 'the SMTP sink stopping').catch(() => child.kill('SIGKILL'));
  };
  const port = await within(
    new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code}) before it listened`)));
      child.once('message', (m: { listening?: number }) => (m.listening ? resolve(m.listening) : reject(new Error('the SMTP sink did not listen'))));
    }),
    30000,
    'starting the SMTP sink',
  ).catch(async (err) => {
    await stop();
    throw err;
  });

  let next = 0;
  const pending = new Map<number, (r: SinkReply) => void>();
  child.on('message', (r: SinkReply) => pending.get(r.id)?.(r));
  const ask = (type: SinkRequest['type'], file?: string) => {
    const id = ++next;
    const answer = new Promise<SinkReply>((resolve) => pending.set(id, resolve)).finally(() => pending.delete(id));
    child.send({ id, type, file } satisfies SinkRequest);
    return within(answer, ANSWER_MS, `the SMTP sink's answer to ${type}`);
  };
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    stats: () => ask('stats'),
    reset: () => ask('reset'),
    arrivals: async () => (await ask('arrivals')).arrivals ?? [],
    async received() {
      const file = path.join(os.tmpdir(), `b2b-bench-sink-${child.pid}-${next}.jsonl`);
      try {
        await ask('save', file);
        const text = readFileSync(file, 'utf8');
        return text ? text.split('\n').map((line) => JSON.parse(line) as ReceivedMessage) : [];
      } finally {
        rmSync(file, { force: true });
      }
    },
    stop,
  };
}
