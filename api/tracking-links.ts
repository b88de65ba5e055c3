import { type Request, Router } from 'express';
import { Counter, type Registry } from 'prom-client';
import type { DeliveryTarget } from '../lib/deliver-events';
import { readEmailToken } from '../lib/email-tokens';
import { recordEmailInteraction, type TrackingResult } from '../lib/email-tracking';
import type { Logger } from '../lib/logger';

// The smallest transparent GIF: what a mail client expects of an <img>.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export interface TrackingDeps {
  tokenSecret: string;
  delivery: DeliveryTarget;
  logger: Logger;
  registry: Registry;
}

/** A tracking link's token names the target, which may hold personal data: request logs keep the path without it. */
export const withoutTrackingToken = (url: string) => url.replace(/^\/t\/([co])\/[^?#]*/, '/t/$1/[token]');

/**
 * The tracked links and the open pixel of sent email (`PUBLIC_URL/t/c/<token>`,
 * `PUBLIC_URL/t/o/<token>`), open to whoever holds the email. A click goes
 * only to the target signed into its token (no open redirect) and always
 * goes there, recorded or not; a link not signed by us is a 404. The pixel
 * answers its image whatever happens: a mail client shows nothing broken.
 */
export function trackingRouter(deps: TrackingDeps): Router {
  const router = Router();
  const outcomes = new Counter({
    name: 'email_tracking_total',
    help: 'Opens and clicks of sent email by result: recorded, duplicate, scanner (flagged, not counted), no_tracking_consent, unknown_recipient, rejected, not_a_visit, invalid_token, failed',
    labelNames: ['kind', 'result'] as const,
    registers: [deps.registry],
  });
  const record = async (req: Request, kind: 'open' | 'click', messageId: string, url?: string): Promise<void> => {
    // A HEAD is a link checker asking whether the link works, never someone reading.
    const result: TrackingResult | 'not_a_visit' | 'failed' =
      req.method === 'HEAD'
        ? 'not_a_visit'
        : await recordEmailInteraction(deps.delivery, { messageId, url, userAgent: req.get('user-agent'), now: Date.now() }).catch((err: unknown) => {
            // The person still gets their page or image; the event is what is lost, and the log says so.
            deps.logger.error({ err, messageId, kind }, 'email tracking: the interaction could not be recorded');
            return 'failed' as const;
          });
    if (result === 'scanner') deps.logger.info({ messageId }, 'email tracking: a link scanner\'s click as the email arrived, flagged and not counted');
    outcomes.inc({ kind, result });
  };

  router.get('/t/c/:token', async (req, res) => {
    const token = readEmailToken(String(req.params.token), deps.tokenSecret);
    const target = token?.u && /^https?:\/\//i.test(token.u) ? token.u : undefined;
    if (!token || !target) {
      outcomes.inc({ kind: 'click', result: 'invalid_token' });
      return res.status(404).type('html').send('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Link not recognised</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto"><h1>Link not recognised</h1><p>This link is not valid.</p></body></html>');
    }
    await record(req, 'click', token.m, target);
    return res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, target);
  });

  router.get('/t/o/:token', async (req, res) => {
    const token = readEmailToken(String(req.params.token), deps.tokenSecret);
    if (token && !token.u) await record(req, 'open', token.m);
    else outcomes.inc({ kind: 'open', result: 'invalid_token' });
    return res.set('Cache-Control', 'no-store').type('gif').send(PIXEL);
  });
  return router;
}
