import { Connection } from 'jsforce';
import { batchesByKey } from '../../domain/crm/batches';
import { crmMapping, normalizeDomain, salesforceAccount, salesforceLead, type CrmMappingInput } from '../../domain/crm/mapping';
import { normalizeEmail } from '../../domain/identity';
import { classifySalesforceFailure, type SalesforceError } from '../../domain/crm/salesforce-failure';
import { failEach, rejected, succeeded, type Failure, type RecordResult } from '../../domain/crm/result';
import { salesforceTask } from '../../domain/crm/tasks';
import type { CrmAdapter } from './adapter';
import { inInputOrder, sendBatches } from './send-batches';
import { withTimeout } from './with-timeout';

/** The sObject Collections limit per request. */
const BATCH = 200;

export interface SalesforceSettings {
  /** The org's instance URL. */
  baseUrl: string;
  /** An OAuth access token (session id). */
  accessToken: string;
  mapping?: CrmMappingInput;
  timeoutMs: number;
}

/** One entry of an sObject Collections answer: jsforce resolves them all, refused ones as `success:false`. */
interface SaveResult {
  success: boolean;
  id?: string;
  errors: ({ message?: string } | string)[];
}

/**
 * Salesforce through jsforce 3.10.8 (3.10.26 needs Node 22), measured against
 * test/support/fake-salesforce.ts: an array upsert is ONE sObject Collections
 * PATCH with results in input order (more than 200 records would go as one
 * refused request, so we batch); a `success:false` entry resolves beside the
 * others; PATCH and POST are never retried by jsforce.
 * People are Leads upserted by an external id holding the email, companies
 * Accounts by one holding the domain.
 */
export function salesforceAdapter(settings: SalesforceSettings): CrmAdapter {
  const mapping = crmMapping('salesforce', settings.mapping);
  const conn = new Connection({ instanceUrl: settings.baseUrl.replace(/\/+$/, ''), accessToken: settings.accessToken });

  async function save<T extends { messageId: string }>(records: T[], key: (r: T) => string, send: (batch: T[]) => Promise<SaveResult[]>): Promise<RecordResult[]> {
    const results = await sendBatches(batchesByKey(records, BATCH, key), async (batch) => {
      let answer: SaveResult[];
      try {
        answer = await withTimeout(settings.timeoutMs, send(batch));
      } catch (err) {
        return classifySalesforceFailure(err as SalesforceError) satisfies Failure;
      }
      return batch.map((r, i) => outcome(r.messageId, answer[i]));
    });
    return inInputOrder(records, results);
  }

  return {
    upsertPeople: (people) =>
      save(people, (p) => normalizeEmail(p.email), (batch) =>
        conn.sobject('Lead').upsert(batch.map((p) => salesforceLead(p, mapping)), mapping.externalId.person, { allOrNone: false }) as Promise<SaveResult[]>,
      ),
    upsertCompanies: (companies) =>
      save(companies, (c) => normalizeDomain(c.domain), (batch) =>
        conn.sobject('Account').upsert(batch.map((c) => salesforceAccount(c, mapping)), mapping.externalId.company, { allOrNone: false }) as Promise<SaveResult[]>,
      ),
    // A Lead names its company in Lead.Company (set by upsertPeople); there is no association to make.
    associate: async (associations) => failEach(associations, { permanent: true, error: 'Salesforce Leads carry their company in Lead.Company: no association to make' }),
    createTasks: (tasks) =>
      save(tasks, (t) => t.messageId, (batch) => conn.sobject('Task').create(batch.map(salesforceTask), { allOrNone: false }) as Promise<SaveResult[]>),
  };
}

function outcome(messageId: string, result: SaveResult | undefined): RecordResult {
  if (!result) return { messageId, ok: false, permanent: false, error: 'Salesforce answered without a result for this record' };
  if (result.success && result.id) return succeeded(messageId, result.id);
  const messages = result.errors.map((e) => (typeof e === 'string' ? e : e.message ?? '')).filter(Boolean);
  return rejected(messageId, `Salesforce refused it: ${messages.join('; ') || 'no reason given'}`);
}
