import express, { type Request, type Response, Router } from 'express';
import { personalDataView } from '../domain/masking';
import { readEmailToken } from '../lib/email-tokens';
import type { DeliveryTarget } from '../lib/deliver-events';
import { unsubscribe, unsubscribeTarget } from '../lib/unsubscribe';

// The page is open to whoever holds the link: it shows the address masked.
const MASKED = personalDataView('operator');
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res: Response, status: number, title: string, body: string) =>
  res
    .status(status)
    .type('html')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escape(title)}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto"><h1>${escape(title)}</h1>${body}</body></html>`);

/**
 * The unsubscribe link of every marketing email (`PUBLIC_URL/u/<token>`).
 * GET only shows a page and changes nothing: link scanners and previews follow
 * GETs. POST unsubscribes: the RFC 8058 one-click body
 * (`List-Unsubscribe=One-Click`) or the page's form (its topic, or all).
 */
export function unsubscribeRouter(tokenSecret: string, delivery: DeliveryTarget): Router {
  const router = Router();
  router.use('/u', express.urlencoded({ extended: false, limit: '2kb' }));
  const targetOf = async (req: Request) => {
    const token = readEmailToken(String(req.params.token), tokenSecret);
    return token ? unsubscribeTarget(token.m) : undefined;
  };

  router.get('/u/:token', async (req, res) => {
    const target = await targetOf(req);
    if (!target) return page(res, 404, 'Link not recognised', '<p>This unsubscribe link is not valid.</p>');
    const action = `/u/${encodeURIComponent(String(req.params.token))}`;
    const topicForm = target.topic
      ? `<form method="post" action="${action}"><input type="hidden" name="scope" value="topic"><button>Unsubscribe from “${escape(target.topic)}”</button></form><p></p>`
      : '';
    return page(res, 200, 'Unsubscribe', `<p>${escape(MASKED.identifier('email', target.email))}</p>${topicForm}<form method="post" action="${action}"><input type="hidden" name="scope" value="all"><button>Unsubscribe from all marketing email</button></form>`);
  });

  router.post('/u/:token', async (req, res) => {
    const target = await targetOf(req);
    if (!target) return page(res, 404, 'Link not recognised', '<p>This unsubscribe link is not valid.</p>');
    const body = (req.body ?? {}) as Record<string, string>;
    const oneClick = body['List-Unsubscribe'] === 'One-Click';
    const done = await unsubscribe(delivery, target, oneClick || body.scope !== 'all' ? 'topic' : 'all', { source: oneClick ? 'one_click' : 'unsubscribe_page', ref: target.messageId });
    return page(res, 200, 'You are unsubscribed', `<p>${done.scope === 'all' ? 'You will get no more marketing email from us.' : `You will get no more email about “${escape(done.scope)}”.`}</p>`);
  });
  return router;
}
