import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/**
 * A keep-alive agent whose sockets are destroyed after `ms` without traffic,
 * failing the request with ETIMEDOUT. The HubSpot client has no timeout of its
 * own (it would wait on a hung CRM forever); given an agent it sends through
 * node:http with it.
 */
export function idleTimeoutAgent(baseUrl: string, ms: number): http.Agent {
  const agent = baseUrl.startsWith('https:') ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const socket = create(options, callback) as Socket;
    socket.setTimeout(ms, () => socket.destroy(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })));
    return socket;
  };
  return agent;
}
