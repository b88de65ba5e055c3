import type { CrmMappingInput } from '../domain/crm/mapping';
import { CrmConnection, type CrmConnectionDoc } from '../models/crm-connection';
import { loadConfig } from './config';
import { secretBox, type SecretBox } from './secret-box';

export const CRM_KINDS = ['hubspot', 'salesforce', 'webhook'] as const;
export type CrmKind = (typeof CRM_KINDS)[number];

/** Requests per second when the connection names none: HubSpot private apps may burst 190 per 10 s; Salesforce and webhooks are kept gentle. */
export const DEFAULT_RATE_LIMIT_PER_SECOND: Record<CrmKind, number> = { hubspot: 19, salesforce: 25, webhook: 10 };

const SECRET_FIELDS = ['accessToken', 'secret'] as const;
type SecretField = (typeof SECRET_FIELDS)[number];

export interface CrmConnectionInput {
  kind: CrmKind;
  baseUrl?: string;
  /** A value replaces the stored one, `null` removes it, absent keeps it. */
  accessToken?: string | null;
  secret?: string | null;
  mapping?: CrmMappingInput;
  rateLimitPerSecond?: number;
  sync?: { qualifiedLeads?: boolean; buyingGroups?: boolean };
}

interface CrmConnectionSettings {
  key: string;
  kind: CrmKind;
  baseUrl?: string;
  mapping: CrmMappingInput;
  rateLimitPerSecond: number;
  sync: { qualifiedLeads: boolean; buyingGroups: boolean };
}

/** What the API shows: whether credentials are set, never what they are. */
export interface CrmConnectionView extends Omit<CrmConnectionSettings, 'baseUrl'> {
  baseUrl: string | null;
  hasAccessToken: boolean;
  hasSecret: boolean;
  updatedAt: string;
}

/** What adapters and the inbound door need: the credentials in clear. Never log or return it. */
export interface CrmConnectionWithSecrets extends CrmConnectionSettings {
  accessToken?: string;
  secret?: string;
}

let box: { passphrase: string; box: SecretBox } | undefined;
function secrets(): SecretBox {
  const passphrase = loadConfig().CRM_SECRET_KEY;
  if (box?.passphrase !== passphrase) box = { passphrase, box: secretBox(passphrase) };
  return box.box;
}

// A sealed credential opens only as the field of the connection it was stored for.
const contextOf = (key: string, field: SecretField) => `crm-connection:${key}:${field}`;

function settingsOf(doc: CrmConnectionDoc): CrmConnectionSettings {
  return {
    key: doc._id,
    kind: doc.kind as CrmKind,
    ...(doc.baseUrl ? { baseUrl: doc.baseUrl } : {}),
    mapping: (doc.mapping ?? {}) as CrmMappingInput,
    rateLimitPerSecond: doc.rateLimitPerSecond,
    sync: { qualifiedLeads: doc.sync?.qualifiedLeads !== false, buyingGroups: doc.sync?.buyingGroups !== false },
  };
}

function viewOf(doc: CrmConnectionDoc): CrmConnectionView {
  const { baseUrl, ...settings } = settingsOf(doc);
  return { ...settings, baseUrl: baseUrl ?? null, hasAccessToken: !!doc.accessToken, hasSecret: !!doc.secret, updatedAt: doc.updatedAt.toISOString() };
}

/** Creates or replaces a connection; credentials left out of the input stay as stored. */
export async function saveConnection(key: string, input: CrmConnectionInput): Promise<{ created: boolean; view: CrmConnectionView }> {
  const set: Record<string, unknown> = {
    kind: input.kind,
    mapping: input.mapping ?? {},
    rateLimitPerSecond: input.rateLimitPerSecond ?? DEFAULT_RATE_LIMIT_PER_SECOND[input.kind],
    sync: { qualifiedLeads: input.sync?.qualifiedLeads ?? true, buyingGroups: input.sync?.buyingGroups ?? true },
  };
  const unset: Record<string, 1> = {};
  if (input.baseUrl === undefined) unset.baseUrl = 1;
  else set.baseUrl = input.baseUrl;
  for (const field of SECRET_FIELDS) {
    const value = input[field];
    if (typeof value === 'string') set[field] = secrets().seal(value, contextOf(key, field));
    else if (value === null) unset[field] = 1;
  }
  // Field by field rather than a read and a replace: a concurrent PUT that sets a credential is never undone by one that omits it.
  const result = await CrmConnection.updateOne({ _id: key }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) }, { upsert: true, runValidators: true });
  const saved = await CrmConnection.findOne({ _id: key }).lean();
  return { created: result.upsertedCount > 0, view: viewOf(saved!) };
}

export async function connectionView(key: string): Promise<CrmConnectionView | undefined> {
  const doc = await CrmConnection.findOne({ _id: key }).lean();
  return doc ? viewOf(doc) : undefined;
}

/** Connections by key, from `offset`; one more than `limit` tells the caller there is a next page. */
export async function connectionViews(offset: number, limit: number): Promise<CrmConnectionView[]> {
  const docs = await CrmConnection.find({}).sort({ _id: 1 }).skip(offset).limit(limit + 1).lean();
  return docs.map(viewOf);
}

/** Whether there was a connection to delete. */
export async function deleteConnection(key: string): Promise<boolean> {
  return (await CrmConnection.deleteOne({ _id: key })).deletedCount > 0;
}

/** Every connection's settings, no credentials: what decides which connections a sync goes to. */
export async function allConnectionSettings(): Promise<CrmConnectionSettings[]> {
  return (await CrmConnection.find({}).lean()).map(settingsOf);
}

/**
 * The connection with its credentials opened, for the adapters and the
 * inbound door; undefined when there is no such connection. Throws when a
 * stored credential does not open (CRM_SECRET_KEY changed, or the record was
 * altered): using the connection then could only fail at the CRM.
 */
export async function connectionWithSecrets(key: string): Promise<CrmConnectionWithSecrets | undefined> {
  const doc = await CrmConnection.findOne({ _id: key }).lean();
  if (!doc) return undefined;
  const opened: Partial<Record<SecretField, string>> = {};
  for (const field of SECRET_FIELDS) {
    const sealed = doc[field];
    if (!sealed) continue;
    try {
      opened[field] = secrets().open(sealed, contextOf(key, field));
    } catch {
      throw new Error(`crm connection '${key}': the stored ${field} does not open with CRM_SECRET_KEY (was the key changed?)`);
    }
  }
  return { ...settingsOf(doc), ...opened };
}
