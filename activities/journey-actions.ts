import { ApplicationFailure } from '@temporalio/activity';
import type { ActionName } from '../domain/journeys/definition';
import { DeliveryTarget, requestRefresh } from '../lib/deliver-events';
import { notifySalesMessages, syncToCrmMessages, UnknownConnectionError } from '../lib/crm-sync';
import { recordAndDeliver } from '../lib/deliveries';
import { journeyAdditions } from '../lib/audience-changes';
import { storedAudience } from '../lib/audiences';
import { recipientsAt, type Recipients } from '../lib/email-recipients';
import { readTemplates } from '../lib/role-template-store';
import { Account } from '../models/account';
import { setUpGroup } from './buying-groups';
import { postWebhook } from './webhook';

export interface JourneyActionInput {
  journeyId: string;
  version: number;
  accountKey: string;
  nodeId: string;
  /** The same on every retry of one visit of one node. */
  idempotencyKey: string;
  action: ActionName;
  params: Record<string, unknown>;
}

export interface WebhookSettings {
  secret: string;
  allowPrivate: boolean;
}

/** A connection the action names that does not exist will not appear by retrying: the action fails at once, and its node's onError applies. */
async function crmAction<T>(build: () => Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (err) {
    if (err instanceof UnknownConnectionError) throw ApplicationFailure.nonRetryable(err.message, 'UnknownConnection');
    throw err;
  }
}

export function makeRunJourneyAction(target: DeliveryTarget, webhooks: WebhookSettings) {
  return async function runJourneyAction(input: JourneyActionInput): Promise<{ done: string }> {
    const { journeyId, version, accountKey, nodeId, params } = input;
    switch (input.action) {
      case 'webhook': {
        const p = params as { url: string; timeout?: string; body?: Record<string, unknown> };
        const res = await postWebhook({ url: p.url, timeout: p.timeout, idempotencyKey: input.idempotencyKey, payload: { journeyId, version, accountKey, nodeId, body: p.body ?? {} }, ...webhooks });
        return { done: `webhook ${res.status}` };
      }
      case 'setAttribute': {
        const p = params as { name: string; value: string | number | boolean };
        // The name is checked against a strict pattern when the journey is saved.
        await Account.updateOne({ _id: accountKey }, { $set: { [`attributes.${p.name}`]: p.value } });
        await requestRefresh(target, { kind: 'account', accountKey }, `journey ${journeyId} set ${p.name}`);
        return { done: `set ${p.name}` };
      }
      case 'refreshBuyingGroup': {
        const key = (params as { roleTemplate: string }).roleTemplate;
        const templates = await readTemplates();
        const template = templates.byKey.get(key);
        if (!template) throw ApplicationFailure.nonRetryable(`role template '${key}' does not exist`, 'UnknownTemplate');
        return { done: `buying group ${await setUpGroup(target, accountKey, key, template, templates.revision)}` };
      }
      case 'sendEmail': {
        const p = params as { template: string; to?: Recipients };
        const people = await recipientsAt(accountKey, p.to);
        const queued = await recordAndDeliver(
          target,
          people.map((personId) => ({ _id: `${input.idempotencyKey}:${personId}`, channel: 'email' as const, type: 'sendEmail', accountKey, personId, payload: { journeyId, version, nodeId, template: p.template } })),
        );
        return { done: `queued ${people.length} emails (${queued} new)` };
      }
      case 'syncToCrm': {
        const p = params as { to?: Recipients; connection?: string; status?: string; campaign?: string };
        const people = await recipientsAt(accountKey, p.to);
        const messages = await crmAction(() => syncToCrmMessages(input.idempotencyKey, accountKey, people, p, { journeyId, version, nodeId }));
        const queued = await recordAndDeliver(target, messages);
        return { done: `queued ${messages.length} CRM records (${queued} new)` };
      }
      case 'notifySales': {
        const messages = await crmAction(() => notifySalesMessages(input.idempotencyKey, accountKey, params as { message: string; connection?: string }, { journeyId, version, nodeId }));
        const queued = await recordAndDeliver(target, messages);
        return { done: `queued ${messages.length} sales ${messages[0]?.channel === 'crm' ? 'tasks' : 'email'} (${queued} new)` };
      }
      case 'addToLinkedInAudience': {
        const p = params as { audience: string; to?: Recipients };
        // An audience that does not exist will not appear by retrying: the action fails at once.
        if (!(await storedAudience(p.audience))) throw ApplicationFailure.nonRetryable(`audience '${p.audience}' does not exist`, 'UnknownAudience');
        const messages = await journeyAdditions(input.idempotencyKey, p.audience, await recipientsAt(accountKey, p.to));
        const queued = await recordAndDeliver(target, messages);
        return { done: `queued ${messages.length} audience additions (${queued} new)` };
      }
    }
  };
}
