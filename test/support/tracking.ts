import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { eventually, Harness } from './harness';

/** What a proxy saw of one request on its way to the API. */
export interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
  /** The body as sent (gzip still compressed) and as JSON. */
  bytes: number;
  json: any;
  /** The status the SDK was given. */
  answered: number;
}

/**
 * A proxy in front of the API that records what the SDKs send. `loseFirstAnswers`
 * answers 503 to that many requests after the API took them (the response was
 * lost on the way back), so the SDK sends the same batch again.
 */
export async function recordingProxy(target: string, opts: { loseFirstAnswers?: number } = {}): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  let toLose = opts.loseFirstAnswers ?? 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const plain = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
      const forwarded = await fetch(`${target}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
      const text = await forwarded.text();
      const lose = toLose > 0 && forwarded.ok;
      if (lose) toLose -= 1;
      const status = lose ? 503 : forwarded.status;
      seen.push({ path: req.url ?? '', headers: req.headers, bytes: body.length, json: JSON.parse(plain.toString('utf8') || 'null'), answered: status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(lose ? '{"error":"lost"}' : text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A write key: an API key with the ingest role, as a source gets it. */
export async function writeKey(h: Harness, name = 'website'): Promise<string> {
  const res = await h.api('POST', '/v1/api-keys', { role: 'ingest', name });
  expect(res.status).toBe(201);
  return res.body.key;
}

/** The person an email names (PUT with nothing to change: 200 means she existed already). */
export async function personByEmail(h: Harness, email: string): Promise<{ personId: string; existed: boolean }> {
  const res = await h.api('PUT', `/v1/people/${encodeURIComponent(email)}`, {});
  return { personId: res.body.personId, existed: res.status === 200 };
}

/** Waits until the account shows this many interactions, and gives the account. */
export function accountWithActivity(h: Harness, key: string, total: number) {
  return eventually(async () => {
    const res = await h.api('GET', `/v1/accounts/${key}`);
    return res.body.activity?.total === total ? res.body : undefined;
  }, { what: `account ${key} to show ${total} interactions` });
}

/** The person's timeline, once it holds this many interactions. */
export function timelineOf(h: Harness, personId: string, count: number) {
  return eventually(async () => {
    const items = (await h.api('GET', `/v1/people/${personId}/timeline`)).body.items;
    return items?.length === count ? items : undefined;
  }, { what: `${count} interactions on ${personId}'s timeline` });
}
