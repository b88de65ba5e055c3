import type { NewMessage } from './deliveries';
import { allConnectionSettings } from './crm-connections';

/**
 * What goes to the CRM connections, as outbound messages (one record each):
 * a lead that became qualified, and a buying group shared with sales. Each id
 * names the change it comes from, so a retried or replayed batch records
 * nothing twice, and the same state is never sent twice.
 */

/** A qualified lead, upserted in every connection that syncs qualified leads; `change` names the status change (person and batch). */
export async function qualifiedLeadMessages(changes: readonly { personId: string; to: string }[], change: (personId: string) => string, accountKey?: string): Promise<NewMessage[]> {
  const qualified = changes.filter((c) => c.to === 'qualified');
  if (!qualified.length) return [];
  const connections = (await allConnectionSettings()).filter((c) => c.sync.qualifiedLeads);
  return connections.flatMap((c) =>
    qualified.map((q) => ({
      _id: `crm:${c.key}:qualified:${change(q.personId)}`,
      channel: 'crm' as const,
      type: 'lead.qualified',
      personId: q.personId,
      ...(accountKey ? { accountKey } : {}),
      payload: { destination: c.key, record: 'person' },
    })),
  );
}

export interface SharedGroup {
  groupId: string;
  accountKey: string;
  name: string;
  completeness: number;
  missingRoles: string[];
  members: { personId: string; role: string }[];
}

/** The owner's task about a shared group: what it is, how complete, who is missing. */
export function sharedGroupTask(g: SharedGroup): { subject: string; body: string } {
  const missing = g.missingRoles.length ? `Missing roles: ${g.missingRoles.join(', ')}.` : 'Every required role is filled.';
  return {
    subject: `Buying group ready: ${g.name}`,
    body: `${g.name} on ${g.accountKey} is ${g.completeness}% complete with ${g.members.length} member${g.members.length === 1 ? '' : 's'}. ${missing}`,
  };
}

/** A shared buying group, in every connection that syncs groups: the company, its members and their association, and a task for the owner. */
export async function sharedGroupMessages(g: SharedGroup): Promise<NewMessage[]> {
  const connections = (await allConnectionSettings()).filter((c) => c.sync.buyingGroups);
  const task = sharedGroupTask(g);
  return connections.flatMap((c) => {
    const id = `crm:${c.key}:group:${g.groupId}`;
    const base = { channel: 'crm' as const, accountKey: g.accountKey };
    return [
      { ...base, _id: `${id}:company`, type: 'buying_group.company', payload: { destination: c.key, record: 'company' } },
      ...g.members.flatMap((m) => [
        { ...base, _id: `${id}:person:${m.personId}`, type: 'buying_group.member', personId: m.personId, payload: { destination: c.key, record: 'person' } },
        { ...base, _id: `${id}:association:${m.personId}`, type: 'buying_group.association', personId: m.personId, payload: { destination: c.key, record: 'association' } },
      ]),
      { ...base, _id: `${id}:task`, type: 'buying_group.task', payload: { destination: c.key, record: 'task', ...task } },
    ];
  });
}

/** A journey action names a connection that does not exist: retrying will not make it appear. */
export class UnknownConnectionError extends Error {}

/** The connections an action names (one, or every one when it names none); a named one that does not exist is an error naming it. */
async function connectionsFor(named: string | undefined): Promise<string[]> {
  const keys = (await allConnectionSettings()).map((c) => c.key);
  if (named && !keys.includes(named)) throw new UnknownConnectionError(`CRM connection '${named}' does not exist`);
  return named ? [named] : keys;
}

/** A journey's syncToCrm: each person named upserted in the connection(s); `visit` is the node visit's idempotency key. */
export async function syncToCrmMessages(visit: string, accountKey: string, people: string[], params: { connection?: string; status?: string; campaign?: string }, source: Record<string, unknown>): Promise<NewMessage[]> {
  const overrides = { ...(params.status ? { status: params.status } : {}), ...(params.campaign ? { campaign: params.campaign } : {}) };
  return (await connectionsFor(params.connection)).flatMap((key) =>
    people.map((personId) => ({ _id: `${visit}:${key}:${personId}`, channel: 'crm' as const, type: 'syncToCrm', accountKey, personId, payload: { ...source, destination: key, record: 'person', ...overrides } })),
  );
}

/** A journey's notifySales: a task for the account's owner in the connection(s), or, with no connection at all, an email to the owner. */
export async function notifySalesMessages(visit: string, accountKey: string, params: { connection?: string; message: string }, source: Record<string, unknown>): Promise<NewMessage[]> {
  const keys = await connectionsFor(params.connection);
  if (!keys.length) return [{ _id: visit, channel: 'sales', type: 'notifySales', accountKey, payload: { ...source, params } }];
  return keys.map((key) => ({ _id: `${visit}:${key}`, channel: 'crm' as const, type: 'notifySales', accountKey, payload: { ...source, destination: key, record: 'task', subject: `Sales alert: ${accountKey}`, body: params.message } }));
}
