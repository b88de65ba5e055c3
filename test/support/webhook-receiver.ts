import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedCall {
  path: string;
  key: string;
  body: string;
  /** The status the receiver answered; undefined while held, or when the caller went away first. */
  answered?: number;
  /** The caller closed the connection before an answer (its process died). */
  gone?: boolean;
}

/**
 * A real HTTP server that journey webhooks call, on loopback. Paths choose the
 * answer (a query string only tells calls apart): `/ok` 200, `/reject` 400, `/slow` answers after 3 s, `/hold/<name>`
 * holds the request until the test releases that name.
 */
export async function startWebhookReceiver() {
  const calls: ReceivedCall[] = [];
  const held = new Map<string, { res: ServerResponse; call: ReceivedCall }[]>();
  const released = new Set<string>();
  const answer = (res: ServerResponse, call: ReceivedCall, status: number) => {
    if (call.gone || res.destroyed || res.writableEnded) return;
    call.answered = status;
    res.statusCode = status;
    res.end();
  };
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const call: ReceivedCall = { path, key: String(req.headers['idempotency-key']), body };
      const route = path.split('?')[0];
      res.on('close', () => {
        if (!res.writableEnded) call.gone = true;
      });
      calls.push(call);
      if (route === '/ok') answer(res, call, 200);
      else if (route === '/reject') answer(res, call, 400);
      else if (route === '/slow') setTimeout(() => answer(res, call, 200), 3000);
      else if (route.startsWith('/hold/') && released.has(route)) answer(res, call, 200);
      else if (route.startsWith('/hold/')) held.set(route, [...(held.get(route) ?? []), { res, call }]);
      else answer(res, call, 404);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    calls,
    url: (path: string) => `${base}${path}`,
    /** Answers every request held on `/hold/<name>` with 200, and lets later ones through at once. */
    release(name: string) {
      for (const { res, call } of held.get(`/hold/${name}`) ?? []) answer(res, call, 200);
      held.delete(`/hold/${name}`);
      released.add(`/hold/${name}`);
    },
    close: () => {
      for (const list of held.values()) for (const { res } of list) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
