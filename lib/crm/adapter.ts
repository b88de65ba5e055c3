import type { CrmMappingInput } from '../../domain/crm/mapping';
import type { CrmAssociation, CrmCompany, CrmKind, CrmPerson, CrmTask } from '../../domain/crm/records';
import type { RecordResult } from '../../domain/crm/result';
import { hubspotAdapter } from './hubspot';
import { salesforceAdapter } from './salesforce';
import { webhookAdapter } from './webhook';

/**
 * One CRM behind one interface. Every call answers exactly one result per
 * input record, in input order, and never throws for what the CRM answered: a
 * failed request becomes a failure of each of its records. Adapters classify
 * (transient or permanent, Retry-After) and never retry: the calling activity
 * owns the retry policy.
 */
export interface CrmAdapter {
  upsertPeople(people: CrmPerson[]): Promise<RecordResult[]>;
  upsertCompanies(companies: CrmCompany[]): Promise<RecordResult[]>;
  associate(associations: CrmAssociation[]): Promise<RecordResult[]>;
  createTasks(tasks: CrmTask[]): Promise<RecordResult[]>;
}

export interface CrmConnection {
  kind: CrmKind;
  baseUrl?: string;
  accessToken?: string;
  secret?: string;
  mapping?: CrmMappingInput;
}

export interface AdapterOptions {
  /** How long a request may go without a byte before it counts as a transient failure. */
  timeoutMs?: number;
  /** Webhook connections may post to loopback and private addresses (the journey webhook setting). */
  allowPrivate?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The adapter of a connection; a missing or malformed setting is an error naming it. */
export function adapterFor(connection: CrmConnection, options: AdapterOptions = {}): CrmAdapter {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  switch (connection.kind) {
    case 'hubspot':
      return hubspotAdapter({ baseUrl: connection.baseUrl, accessToken: required(connection.accessToken, 'accessToken'), mapping: connection.mapping, timeoutMs });
    case 'salesforce':
      return salesforceAdapter({ baseUrl: required(connection.baseUrl, 'baseUrl'), accessToken: required(connection.accessToken, 'accessToken'), mapping: connection.mapping, timeoutMs });
    case 'webhook':
      return webhookAdapter({ url: required(connection.baseUrl, 'baseUrl'), secret: required(connection.secret, 'secret'), timeoutMs, allowPrivate: options.allowPrivate ?? false });
    default:
      throw new Error(`kind: unknown CRM kind ${JSON.stringify((connection as { kind: unknown }).kind)}`);
  }
}

function required(value: string | undefined, field: string): string {
  if (!value) throw new Error(`${field}: required for this connection kind`);
  return value;
}
