import { ApplicationFailure } from '@temporalio/activity';
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';
import { Agent, fetch } from 'undici';
import { webhookTimeoutMs } from '../domain/journeys/webhook-timeout';

/**
 * Addresses a webhook may not reach: loopback, private, shared, link-local,
 * unspecified, benchmarking, multicast and reserved ranges, and the IPv6
 * prefixes that carry an IPv4 address (NAT64; IPv4-mapped addresses are
 * checked against the IPv4 ranges by BlockList itself).
 */
const internal = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) internal.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) internal.addSubnet(net, bits, 'ipv6');

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true });

/** The host's addresses, looked up once; with private targets off, every one must be public. */
async function resolveTarget(host: string, resolve: Resolve, allowPrivate: boolean): Promise<ResolvedAddress> {
  const name = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(name) ? [{ address: name, family: isIP(name) }] : await resolve(name);
  if (!allowPrivate && addresses.some((a) => internal.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'))) {
    throw ApplicationFailure.nonRetryable(`webhook target ${host} is a private or loopback address`, 'WebhookRefused');
  }
  return addresses[0];
}

/**
 * Connects to the address that was checked, never looking the name up again
 * (a second answer could point inside: DNS rebinding). The URL keeps the
 * hostname, so the Host header and the TLS server name are the original.
 */
function pinnedTo(target: ResolvedAddress): Agent {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as (err: null, addresses: ResolvedAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  return new Agent({ connect: { lookup: pinned } });
}

export interface WebhookCall {
  url: string;
  timeout?: string;
  idempotencyKey: string;
  payload: Record<string, unknown>;
  secret: string;
  allowPrivate: boolean;
}

/**
 * POSTs the payload as JSON with `Idempotency-Key` (the same on every retry of
 * one node visit, so the receiver can drop repeats) and `X-Signature: sha256=`
 * the HMAC of the exact body. 5xx, 408, 429 and timeouts are retried by the
 * activity's policy; other 4xx are final.
 */
export async function postWebhook(call: WebhookCall, resolve: Resolve = systemResolve): Promise<{ status: number }> {
  const url = new URL(call.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw ApplicationFailure.nonRetryable('webhook URLs are http(s) only', 'WebhookRefused');
  if (url.username || url.password) throw ApplicationFailure.nonRetryable('webhook URLs may not carry credentials', 'WebhookRefused');
  const dispatcher = pinnedTo(await resolveTarget(url.hostname, resolve, call.allowPrivate));
  const body = JSON.stringify(call.payload);
  const signature = createHmac('sha256', call.secret).update(body).digest('hex');
  const timeoutMs = webhookTimeoutMs(call.timeout);
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': call.idempotencyKey, 'x-signature': `sha256=${signature}` },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher,
    });
    await res.body?.cancel();
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw ApplicationFailure.retryable(`webhook timed out after ${timeoutMs} ms`, 'WebhookTimeout');
    throw ApplicationFailure.retryable(`webhook could not be reached: ${(err as Error).message}`, 'WebhookFailed');
  } finally {
    await dispatcher.close();
  }
  if (res.ok) return { status: res.status };
  const retry = res.status >= 500 || res.status === 408 || res.status === 429;
  const message = `webhook answered ${res.status}`;
  throw retry ? ApplicationFailure.retryable(message, 'WebhookFailed') : ApplicationFailure.nonRetryable(message, 'WebhookRejected');
}
