// HubSpot's burst limit in front of the fake: a proxy on 127.0.0.1 that lets
// through at most `requests` per rolling `perMs` and answers the rest 429 with
// HubSpot's rate-limit body and Retry-After (seconds until the oldest request
// leaves the window), as HubSpot does for private apps (190 per 10 s).
// test/support/fake-hubspot.ts is left as the tests use it.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startBurstLimit(upstream: string, limit: { requests: number; perMs: number }) {
  const target = new URL(upstream);
  const accepted: number[] = [];
  let throttled = 0;
  let passed = 0;
  const server = createServer((req, res) => {
    const now = Date.now();
    while (accepted.length && accepted[0] <= now - limit.perMs) accepted.shift();
    if (accepted.length >= limit.requests) {
      throttled++;
      req.resume();
      const retryAfter = Math.max(1, Math.ceil((accepted[0] + limit.perMs - now) / 1000));
      res.writeHead(429, { 'content-type': 'application/json;charset=utf-8', 'retry-after': String(retryAfter) });
      res.end(JSON.stringify({ status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', groupName: 'publicapi:private-app-api-calls' }));
      return;
    }
    accepted.push(now);
    passed++;
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', message: `proxy: ${err.message}` }));
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ passed, throttled }),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
