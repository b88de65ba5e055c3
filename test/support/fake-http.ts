import { createServer, IncomingHttpHeaders, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, for signature checks. */
  raw: string;
  /** The body as JSON, or undefined when it is not JSON. */
  body: any;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A scripted answer replaces the normal one for one request; `hold` keeps the request open until `release()`, then answers normally. */
export type Scripted = FakeAnswer | 'hold';

/**
 * A real HTTP server on 127.0.0.1 and a free port that answers with `handle`
 * unless a scripted answer is queued. Every answer is JSON with a
 * Content-Type: the official clients parse by it and fail without it.
 * A held request is applied when released even if its caller has gone
 * (as a real CRM finishes work its client stopped waiting for).
 */
export async function startFakeHttp(handle: (req: RecordedRequest) => FakeAnswer) {
  const requests: RecordedRequest[] = [];
  const script: Scripted[] = [];
  const held: (() => void)[] = [];
  const send = (res: ServerResponse, answer: FakeAnswer) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  };
  const answerNormally = (req: RecordedRequest, res: ServerResponse) => {
    let answer: FakeAnswer;
    try {
      answer = handle(req);
    } catch (err) {
      answer = { status: 500, body: { status: 'error', message: `fake server fault: ${(err as Error).message}` } };
    }
    send(res, answer);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, raw, body };
      requests.push(recorded);
      const next = script.shift();
      if (next === 'hold') held.push(() => answerNormally(recorded, res));
      else if (next) send(res, next);
      else answerNormally(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    /** Answers the next requests in this order, one each, before normal answers resume. */
    script(...answers: Scripted[]) {
      script.push(...answers);
    },
    /** How many requests are held open right now (a method: a fake built by spreading this object reads it live). */
    heldCount() {
      return held.length;
    },
    /** Applies and answers every held request. */
    release() {
      for (const answer of held.splice(0)) answer();
    },
    close() {
      held.length = 0;
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A failure answer: a status, with `Retry-After` when given and a JSON body in the provider's error shape. */
export function failure(status: number, body: unknown, retryAfter?: string): FakeAnswer {
  return { status, body, headers: retryAfter === undefined ? undefined : { 'retry-after': retryAfter } };
}
