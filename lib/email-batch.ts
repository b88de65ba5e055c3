import type { LedgerEntry } from '../domain/email/send-ledger';
import type { EmailLimits } from '../domain/email/send-window';
import { compileTemplate, type CompiledTemplate } from '../domain/email/template';
import { Account } from '../models/account';
import { EmailSettings } from '../models/email-settings';
import { EmailTemplate } from '../models/email-template';
import { OutboundMessage } from '../models/outbound-message';
import { Person } from '../models/person';
import { SubscriptionTopic } from '../models/subscription-topic';
import { Suppression } from '../models/suppression';
import { findEach } from './each-statement';
import { normalAddress } from './suppressions';
import { accountBuyingGroups, groupsHeldBy, type ProfileBuyingGroup } from './profile-links';

const readPerson = (id: string) => Person.findOne({ _id: id }).lean();
const readAccount = (key: string) => Account.findOne({ _id: key }).lean();
const readTemplate = (key: string) => EmailTemplate.findOne({ _id: key }).lean();
const readTopic = (key: string) => SubscriptionTopic.findOne({ _id: key }).lean();
type Found<F extends (key: string) => unknown> = NonNullable<Awaited<ReturnType<F>>>;

export type BatchPerson = Found<typeof readPerson>;
export type BatchAccount = Found<typeof readAccount>;
export type BatchTemplate = Found<typeof readTemplate> & { compiled?: CompiledTemplate; problem?: string };
export type BatchTopic = Found<typeof readTopic>;

/**
 * Everything a batch of emails is decided and rendered from, read as it is now
 * (consent and suppressions at the moment of sending), each document once: the
 * batch's people, their suppressions and sent marketing email, their accounts
 * and buying groups, and each template, topic and the caps setting once.
 */
export interface EmailBatchData {
  people: Map<string, BatchPerson>;
  accounts: Map<string, BatchAccount>;
  groupsOf(personId: string, accountKey: string | null | undefined): ProfileBuyingGroup[];
  templates: Map<string, BatchTemplate>;
  topics: Map<string, BatchTopic>;
  /** Suppression scopes and reasons by normalised address. */
  suppressions: Map<string, { scope: string; reason: string }[]>;
  /** When each person's marketing email went out (the caps count these). */
  sentMarketing: Map<string, number[]>;
  /** The same as read, each with its message id (the ledger of the caps is matched against it). */
  sentBefore: Map<string, LedgerEntry[]>;
  limits: EmailLimits;
}

const byKey = <D extends { _id: string }>(docs: D[]) => new Map(docs.map((d) => [d._id, d]));
const groupBy = <D, K>(docs: D[], key: (d: D) => K) => {
  const map = new Map<K, D[]>();
  for (const d of docs) map.set(key(d), [...(map.get(key(d)) ?? []), d]);
  return map;
};
const present = <T>(values: (T | null | undefined)[]) => values.filter((v): v is T => v !== null && v !== undefined);

export async function readEmailBatch(messages: { _id: string; personId?: string | null; accountKey?: string | null; payload: Record<string, unknown> }[]): Promise<EmailBatchData> {
  const people = byKey(await findEach(present(messages.map((m) => m.personId)), async (id) => present([await readPerson(id)])));
  const accountKeys = present([...messages.map((m) => m.accountKey), ...[...people.values()].map((p) => p.accountKey)]);
  const templateKeys = present(messages.map((m) => (m.payload.template === undefined ? undefined : String(m.payload.template))));
  const settings = ((await EmailSettings.findOne({ _id: 'email' }).lean()) ?? {}) as EmailLimits;
  // Without a cap nothing counts what a person was sent: the read is skipped.
  const capped = settings.maxPerDay !== undefined || settings.maxPerWeek !== undefined;
  const [accounts, groups, templates, suppressions, sent] = await Promise.all([
    findEach(accountKeys, async (key) => present([await readAccount(key)])),
    findEach(accountKeys, async (key) => [{ key, groups: await accountBuyingGroups(key) }]),
    findEach(templateKeys, async (key) => present([await readTemplate(key)])),
    findEach(present([...people.values()].map((p) => (p.email ? normalAddress(p.email) : undefined))), (email) => Suppression.find({ email }, { email: 1, scope: 1, reason: 1 }).lean()),
    capped ? findEach([...people.keys()], (personId) => OutboundMessage.find({ personId, status: 'sent', marketing: true }, { personId: 1, sentAt: 1 }).lean()) : [],
  ]);
  const topics = byKey(await findEach(present(templates.map((t) => t.topic)), async (key) => present([await readTopic(key)])));
  const compiled = await Promise.all(
    templates.map(async (t) => {
      const { compiled: c, problems } = await compileTemplate({ subject: t.subject, html: t.html ?? undefined, mjml: t.mjml ?? undefined, text: t.text ?? undefined });
      return { ...t, compiled: c, problem: c ? undefined : (problems[0]?.message ?? 'unknown problem') };
    }),
  );
  const groupsByAccount = new Map(groups.map((g) => [g.key, g.groups]));
  return {
    people,
    accounts: byKey(accounts),
    groupsOf: (personId, accountKey) => (accountKey ? groupsHeldBy(personId, groupsByAccount.get(accountKey) ?? []) : []),
    templates: byKey(compiled),
    topics,
    suppressions: groupBy(suppressions, (s) => s.email),
    sentMarketing: new Map([...groupBy(sent, (m) => m.personId!)].map(([id, ms]) => [id, present(ms.map((m) => m.sentAt?.getTime()))])),
    sentBefore: new Map([...groupBy(sent, (m) => m.personId!)].map(([id, ms]) => [id, ms.flatMap((m) => (m.sentAt ? [{ m: m._id, at: m.sentAt.getTime() }] : []))])),
    limits: settings,
  };
}
