import { Client } from '@hubspot/api-client';
import { normalizeEmail } from '../../domain/identity';
import { batchesByKey } from '../../domain/crm/batches';
import { companyProperties, crmMapping, normalizeDomain, personProperties, type CrmMappingInput } from '../../domain/crm/mapping';
import { failed, httpFailure, networkFailure, rejected, succeeded, type Failure, type RecordResult } from '../../domain/crm/result';
import { hubspotTask } from '../../domain/crm/tasks';
import type { CrmAdapter } from './adapter';
import { idleTimeoutAgent } from './idle-timeout-agent';
import { inInputOrder, sendBatches } from './send-batches';

/** HubSpot's limit for batch upserts and reads. */
const BATCH = 100;
/** The task property holding our message id: created in the portal as a single-line text property with unique values. */
export const TASK_ID_PROPERTY = 'b2b_message_id';

export interface HubSpotSettings {
  baseUrl?: string;
  accessToken: string;
  mapping?: CrmMappingInput;
  timeoutMs: number;
}

/** A batch answer of the client: 200 and 207 both resolve (207 with `errors`). */
interface BatchAnswer {
  results: { id: string; properties: Record<string, string | null>; objectWriteTraceId?: string }[];
  errors?: { message: string; context?: Record<string, string[]> }[];
}

/**
 * HubSpot through `@hubspot/api-client` 14, measured against test/support/fake-hubspot.ts:
 * - a 207 resolves with `results` and `errors`; errors carry the input's
 *   `objectWriteTraceId` (we send the messageId) and the ids in `context`;
 * - any other non-2xx rejects with an ApiException: `code` is the status,
 *   `headers` the response headers in lower case (`retry-after`), `body` the
 *   parsed JSON (a string for an HTML page);
 * - no answer rejects with a plain Error carrying `code` (ECONNREFUSED) when
 *   an agent is set, as here;
 * - retries (numberOfApiCallRetries) are installed process-wide by whichever
 *   Client was built last, so every Client here is built with 0;
 * - default associations go one PUT each: the batch endpoint's client throws
 *   on a 207 and drops its per-record results.
 */
export function hubspotAdapter(settings: HubSpotSettings): CrmAdapter {
  const mapping = crmMapping('hubspot', settings.mapping);
  const client = new Client({
    accessToken: settings.accessToken,
    numberOfApiCallRetries: 0,
    httpAgent: idleTimeoutAgent(settings.baseUrl ?? 'https://api.hubapi.com', settings.timeoutMs),
    ...(settings.baseUrl ? { basePath: settings.baseUrl.replace(/\/+$/, '') } : {}),
  });
  const emailProperty = mapping.person.email;
  const domainProperty = mapping.company.domain;

  return {
    async upsertPeople(people) {
      const key = (p: (typeof people)[number]) => normalizeEmail(p.email);
      const results = await sendBatches(batchesByKey(people, BATCH, key), (batch) =>
        call(
          () => client.crm.contacts.batchApi.upsert({ inputs: batch.map((p) => ({ id: key(p), idProperty: emailProperty, properties: personProperties(p, mapping), objectWriteTraceId: p.messageId })) }),
          (answer) => perRecord(batch, answer as BatchAnswer, key, emailProperty),
        ),
      );
      return inInputOrder(people, results);
    },

    async upsertCompanies(companies) {
      const key = (c: (typeof companies)[number]) => normalizeDomain(c.domain);
      const results = await sendBatches(batchesByKey(companies, BATCH, key), (batch) =>
        call(
          () => client.crm.companies.batchApi.upsert({ inputs: batch.map((c) => ({ id: key(c), idProperty: domainProperty, properties: companyProperties(c, mapping), objectWriteTraceId: c.messageId })) }),
          (answer) => perRecord(batch, answer as BatchAnswer, key, domainProperty),
        ),
      );
      return inInputOrder(companies, results);
    },

    async associate(associations) {
      const contacts = await idsOf(associations.map((a) => normalizeEmail(a.personEmail)), emailProperty, (inputs) =>
        client.crm.contacts.batchApi.read({ idProperty: emailProperty, inputs, properties: [emailProperty], propertiesWithHistory: [] }),
      );
      const companies = await idsOf(associations.map((a) => normalizeDomain(a.companyDomain)), domainProperty, (inputs) =>
        client.crm.companies.batchApi.read({ idProperty: domainProperty, inputs, properties: [domainProperty], propertiesWithHistory: [] }),
      );
      return sendBatches(
        associations.map((a) => [a]),
        async ([a]) => {
          const contact = contacts.get(normalizeEmail(a.personEmail));
          const company = companies.get(normalizeDomain(a.companyDomain));
          if (typeof contact !== 'string') return contact ?? [failed(a.messageId, { permanent: false, error: NOT_YET('contact') })];
          if (typeof company !== 'string') return company ?? [failed(a.messageId, { permanent: false, error: NOT_YET('company') })];
          return call(
            () => client.crm.associations.v4.basicApi.createDefault('contact', contact, 'company', company),
            () => [succeeded(a.messageId, `${contact}-${company}`)],
          );
        },
      );
    },

    // Upserted by our message id (a unique-value task property the portal defines, TASK_ID_PROPERTY):
    // a task whose creation a killed worker cut off is found, not created twice, when its batch is retried.
    async createTasks(tasks) {
      const key = (t: (typeof tasks)[number]) => t.messageId;
      const now = new Date();
      const results = await sendBatches(batchesByKey(tasks, BATCH, key), (batch) =>
        call(
          () => client.crm.objects.tasks.batchApi.upsert({ inputs: batch.map((t) => ({ id: key(t), idProperty: TASK_ID_PROPERTY, properties: { ...hubspotTask(t, now), [TASK_ID_PROPERTY]: key(t) }, objectWriteTraceId: t.messageId })) }),
          (answer) => perRecord(batch, answer as BatchAnswer, key, TASK_ID_PROPERTY),
        ),
      );
      return inInputOrder(tasks, results);
    },
  };
}

/** Runs one client call; what it rejects with becomes the Failure of its whole request. */
async function call<T>(send: () => Promise<T>, read: (answer: T) => RecordResult[]): Promise<RecordResult[] | Failure> {
  let answer: T;
  try {
    answer = await send();
  } catch (err) {
    return hubSpotFailure(err);
  }
  return read(answer);
}

function hubSpotFailure(err: unknown): Failure {
  const e = err as { code?: unknown; headers?: Record<string, string>; body?: { message?: unknown } };
  if (typeof e?.code !== 'number') return networkFailure('HubSpot', err);
  const message = typeof e.body?.message === 'string' ? e.body.message : undefined;
  return httpFailure('HubSpot', e.code, message, e.headers?.['retry-after']);
}

/**
 * Each record's own outcome in a 200/207 answer: its result (found by trace id,
 * else by its key property), else the error naming its trace id or key. A
 * record named by neither takes the errors no record claimed, or, without
 * any, is transient: sending it again is a harmless upsert.
 */
function perRecord<T extends { messageId: string }>(batch: T[], answer: BatchAnswer, key: (r: T) => string, keyProperty: string): RecordResult[] {
  const idOf = new Map<string, string>();
  for (const r of answer.results ?? []) {
    if (r.objectWriteTraceId) idOf.set(r.objectWriteTraceId, r.id);
    const k = r.properties?.[keyProperty];
    if (k) idOf.set(k.toLowerCase(), r.id);
  }
  const errors = (answer.errors ?? []).map((e) => ({ message: e.message, names: new Set(Object.values(e.context ?? {}).flat().map((v) => String(v).toLowerCase())), claimed: false }));
  const errorOf = (r: T) => errors.find((e) => e.names.has(r.messageId.toLowerCase()) || e.names.has(key(r)));
  for (const r of batch) {
    const e = errorOf(r);
    if (e) e.claimed = true;
  }
  const unclaimed = errors.filter((e) => !e.claimed).map((e) => e.message);
  return batch.map((r) => {
    const id = idOf.get(r.messageId) ?? idOf.get(key(r));
    if (id) return succeeded(r.messageId, id);
    const e = errorOf(r);
    if (e) return rejected(r.messageId, `HubSpot refused it: ${e.message}`);
    if (unclaimed.length) return rejected(r.messageId, `HubSpot refused it: ${unclaimed.join('; ')}`);
    return { messageId: r.messageId, ok: false, permanent: false, error: 'HubSpot answered without a result for this record' };
  });
}

/** HubSpot ids by key (email or domain), read in batches; the keys of a failed read map to its Failure. */
async function idsOf(keys: string[], keyProperty: string, read: (inputs: { id: string }[]) => Promise<unknown>): Promise<Map<string, string | Failure>> {
  const ids = new Map<string, string | Failure>();
  for (const batch of batchesByKey([...new Set(keys)], BATCH, (k) => k)) {
    try {
      const answer = (await read(batch.map((id) => ({ id })))) as BatchAnswer;
      for (const r of answer.results) {
        const k = r.properties[keyProperty];
        if (k) ids.set(k.toLowerCase(), r.id);
      }
    } catch (err) {
      for (const k of batch) ids.set(k, hubSpotFailure(err));
    }
  }
  return ids;
}

/**
 * A contact or company not in HubSpot is transient: its upsert may still be on
 * its way (the caller associates after upserting, and may be retrying that).
 */
const NOT_YET = (what: string) => `the ${what} is not in HubSpot (yet)`;
