import { ApplicationFailure } from '@temporalio/activity';
import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { parseDuration } from '../domain/duration';

const DEFAULT_TIMEOUT_MS = 10_000;

/** Loopback, private, link-local and unspecified ranges: a webhook may not reach into our own network. */
const internal = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10]] as const) internal.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) internal.addSubnet(net, bits, 'ipv6');

async function assertPublic(host: string): Promise<void> {
  const name = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(name) ? [{ address: name, family: isIP(name) }] : await lookup(name, { all: true });
  for (const a of addresses) {
    if (internal.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4')) throw ApplicationFailure.nonRetryable(`webhook target ${host} is a private or loopback address`, 'WebhookRefused');
  }
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
export async function postWebhook(call: WebhookCall): Promise<{ status: number }> {
  const url = new URL(call.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw ApplicationFailure.nonRetryable('webhook URLs are http(s) only', 'WebhookRefused');
  if (url.username || url.password) throw ApplicationFailure.nonRetryable('webhook URLs may not carry credentials', 'WebhookRefused');
  if (!call.allowPrivate) await assertPublic(url.hostname);
  const body = JSON.stringify(call.payload);
  const signature = createHmac('sha256', call.secret).update(body).digest('hex');
  const timeoutMs = call.timeout ? parseDuration(call.timeout)! : DEFAULT_TIMEOUT_MS;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': call.idempotencyKey, 'x-signature': `sha256=${signature}` },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw ApplicationFailure.retryable(`webhook timed out after ${timeoutMs} ms`, 'WebhookTimeout');
    throw ApplicationFailure.retryable(`webhook could not be reached: ${(err as Error).message}`, 'WebhookFailed');
  }
  await res.body?.cancel();
  if (res.ok) return { status: res.status };
  const retry = res.status >= 500 || res.status === 408 || res.status === 429;
  const message = `webhook answered ${res.status}`;
  throw retry ? ApplicationFailure.retryable(message, 'WebhookFailed') : ApplicationFailure.nonRetryable(message, 'WebhookRejected');
}
