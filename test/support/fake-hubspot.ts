import { failure, FakeAnswer, RecordedRequest, startFakeHttp } from './fake-http';

interface StoredObject {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

interface StandardError {
  status: 'error';
  category: string;
  message: string;
  context: Record<string, string[]>;
  links: Record<string, string>;
  errors: unknown[];
}

/**
 * A fake HubSpot CRM API answering what `@hubspot/api-client` sends, with the
 * statuses the client requires (batch upsert and read 200, or 207 with
 * `errors`; default association PUT 200; task POST 201) and state tests can
 * count: contacts by email, companies by domain, associations, tasks.
 * A batch naming one id twice is refused with 400, as HubSpot does.
 */
export async function startFakeHubSpot() {
  const token = 'fake-hubspot-token';
  let nextId = 1000;
  const state = {
    contacts: new Map<string, StoredObject>(),
    companies: new Map<string, StoredObject>(),
    /** `contactId->companyId`. */
    associations: new Set<string>(),
    tasks: [] as StoredObject[],
  };
  /** Tasks by their unique b2b_message_id, for upserts (HubSpot's unique-value property). */
  const tasksById = new Map<string, StoredObject>();
  /** Upsert keys (email, domain) refused per record, with the message HubSpot gives. */
  const rejections = new Map<string, string>();

  const error = (category: string, message: string, context: Record<string, string[]>): StandardError => ({ status: 'error', category, message, context, links: {}, errors: [] });
  const batchAnswer = (results: unknown[], errors: StandardError[]): FakeAnswer => {
    const now = new Date().toISOString();
    return { status: errors.length ? 207 : 200, body: { status: 'COMPLETE', results, ...(errors.length ? { errors, numErrors: errors.length } : {}), startedAt: now, completedAt: now } };
  };
  const publicObject = (o: StoredObject, extra: Record<string, unknown> = {}) => ({ id: o.id, properties: { ...o.properties, hs_object_id: o.id }, createdAt: o.createdAt, updatedAt: o.updatedAt, archived: false, ...extra });

  function upsert(store: Map<string, StoredObject>, keyProperty: string, req: RecordedRequest): FakeAnswer {
    const inputs: { id: string; idProperty?: string; properties: Record<string, string>; objectWriteTraceId?: string }[] = req.body?.inputs ?? [];
    const key = (input: (typeof inputs)[number]) => (input.idProperty === keyProperty ? input.id : input.properties[keyProperty] ?? '').toLowerCase();
    const keys = inputs.map(key);
    if (new Set(keys).size !== keys.length) return failure(400, error('VALIDATION_ERROR', 'Duplicate IDs found in batch input', {}));
    const results: unknown[] = [];
    const errors: StandardError[] = [];
    for (const input of inputs) {
      const k = key(input);
      const trace: Record<string, string[]> = input.objectWriteTraceId ? { objectWriteTraceId: [input.objectWriteTraceId] } : {};
      const refused = rejections.get(k);
      if (refused) {
        errors.push(error('VALIDATION_ERROR', refused, { ids: [k], ...trace }));
        continue;
      }
      const now = new Date().toISOString();
      const existing = store.get(k);
      const stored = existing ?? { id: String(nextId++), properties: {}, createdAt: now, updatedAt: now };
      stored.properties = { ...stored.properties, ...input.properties, [keyProperty]: k };
      stored.updatedAt = now;
      store.set(k, stored);
      results.push(publicObject(stored, { new: !existing, ...(input.objectWriteTraceId ? { objectWriteTraceId: input.objectWriteTraceId } : {}) }));
    }
    return batchAnswer(results, errors);
  }

  function read(store: Map<string, StoredObject>, req: RecordedRequest): FakeAnswer {
    const inputs: { id: string }[] = req.body?.inputs ?? [];
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const { id } of inputs) {
      const found = store.get(id.toLowerCase());
      if (found) results.push(publicObject(found));
      else missing.push(id);
    }
    return batchAnswer(results, missing.length ? [error('OBJECT_NOT_FOUND', 'Could not get some objects, they may be deleted or not exist.', { ids: missing })] : []);
  }

  function associate(contactId: string, companyId: string): FakeAnswer {
    const known = (store: Map<string, StoredObject>, id: string) => [...store.values()].some((o) => o.id === id);
    if (!known(state.contacts, contactId) || !known(state.companies, companyId)) {
      return failure(404, error('OBJECT_NOT_FOUND', 'One or more objects of the association do not exist', {}));
    }
    state.associations.add(`${contactId}->${companyId}`);
    const now = new Date().toISOString();
    const spec = { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 };
    return { status: 200, body: { status: 'COMPLETE', results: [{ from: { id: contactId }, to: { id: companyId }, associationSpec: spec }], startedAt: now, completedAt: now } };
  }

  function createTask(req: RecordedRequest): FakeAnswer {
    const now = new Date().toISOString();
    const task: StoredObject = { id: String(nextId++), properties: { ...req.body?.properties }, createdAt: now, updatedAt: now };
    state.tasks.push(task);
    return { status: 201, body: publicObject(task) };
  }

  function upsertTasks(req: RecordedRequest): FakeAnswer {
    const before = new Set(tasksById.values());
    const answer = upsert(tasksById, 'b2b_message_id', req);
    for (const t of tasksById.values()) if (!before.has(t)) state.tasks.push(t);
    return answer;
  }

  const server = await startFakeHttp((req) => {
    if (req.headers.authorization !== `Bearer ${token}`) return failure(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' });
    const path = req.path.split('?')[0];
    const association = /^\/crm\/v4\/objects\/contact\/(\w+)\/associations\/default\/company\/(\w+)$/.exec(path);
    if (req.method === 'POST' && path === '/crm/v3/objects/contacts/batch/upsert') return upsert(state.contacts, 'email', req);
    if (req.method === 'POST' && path === '/crm/v3/objects/companies/batch/upsert') return upsert(state.companies, 'domain', req);
    if (req.method === 'POST' && path === '/crm/v3/objects/contacts/batch/read') return read(state.contacts, req);
    if (req.method === 'POST' && path === '/crm/v3/objects/companies/batch/read') return read(state.companies, req);
    if (req.method === 'PUT' && association) return associate(association[1], association[2]);
    if (req.method === 'POST' && path === '/crm/v3/objects/tasks') return createTask(req);
    if (req.method === 'POST' && path === '/crm/v3/objects/tasks/batch/upsert') return upsertTasks(req);
    return failure(404, { status: 'error', message: `no route ${req.method} ${path}`, category: 'OBJECT_NOT_FOUND' });
  });

  return {
    ...server,
    state,
    token,
    /** Refuses these emails or domains per record (207 `errors`) until the test ends. */
    reject(keys: string[], message = 'Property values were not valid') {
      for (const k of keys) rejections.set(k.toLowerCase(), message);
    },
    /**
     * The next `n` requests get this status. A 429 carries HubSpot's
     * rate-limit body (which names its policy) and `Retry-After` when given.
     */
    failNext(n: number, status: 429 | 500 | 502 | 503 | 400 | 401, retryAfter?: string) {
      const body =
        status === 429
          ? { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', groupName: 'publicapi:private-app-api-calls' }
          : { status: 'error', message: status >= 500 ? 'internal error' : 'Invalid input JSON on line 1', category: status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR' };
      server.script(...Array.from({ length: n }, () => failure(status, body, retryAfter)));
    },
    /** Holds the next `n` requests open until `release()`. */
    holdNext(n = 1) {
      server.script(...Array.from({ length: n }, () => 'hold' as const));
    },
  };
}

export type FakeHubSpot = Awaited<ReturnType<typeof startFakeHubSpot>>;
