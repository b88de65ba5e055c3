import { failure, FakeAnswer, RecordedRequest, startFakeHttp } from './fake-http';

type SObject = Record<string, unknown> & { Id: string };

/**
 * A fake Salesforce REST API answering what `jsforce` 3.10.8 sends: sObject
 * Collections upsert (`PATCH /services/data/vXX.X/composite/sobjects/<Type>/<ExtIdField>`)
 * and create (`POST .../composite/sobjects`), 200 with one result per record
 * in input order, a refused record as `success:false` beside the others.
 * State: records per type by external id (upserts) or in order (creates).
 */
export async function startFakeSalesforce() {
  const token = 'fake-salesforce-session';
  let nextId = 1;
  const state = {
    /** `Lead` → external id value → record. */
    upserted: new Map<string, Map<string, SObject>>(),
    /** `Task` → records in order of arrival. */
    created: new Map<string, SObject[]>(),
  };
  /** External id values (or Subjects of created records) refused per record, with Salesforce's message. */
  const rejections = new Map<string, string>();
  const newId = (type: string) => `${type.slice(0, 3).toUpperCase()}${String(nextId++).padStart(15, '0')}`;
  const refusal = (message: string) => ({ success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message, fields: [] }] });

  function upsert(type: string, extField: string, req: RecordedRequest): FakeAnswer {
    const records: Record<string, unknown>[] = req.body?.records ?? [];
    if (records.length > 200) return failure(400, [{ errorCode: 'EXCEEDED_ID_LIMIT', message: 'record limit reached. cannot submit more than 200 records into this call' }]);
    const store = state.upserted.get(type) ?? new Map<string, SObject>();
    state.upserted.set(type, store);
    const results = records.map((record) => {
      const { attributes: _attributes, ...fields } = record;
      const ext = String(fields[extField] ?? '');
      const refused = rejections.get(ext);
      if (refused) return refusal(refused);
      const existing = store.get(ext);
      const stored: SObject = { ...existing, ...fields, Id: existing?.Id ?? newId(type) };
      store.set(ext, stored);
      return { id: stored.Id, success: true, errors: [], created: !existing };
    });
    return { status: 200, body: results };
  }

  function create(req: RecordedRequest): FakeAnswer {
    const records: Record<string, unknown>[] = req.body?.records ?? [];
    const results = records.map((record) => {
      const { attributes, ...fields } = record as { attributes: { type: string }; Subject?: string };
      const refused = rejections.get(String(fields.Subject ?? ''));
      if (refused) return refusal(refused);
      const stored: SObject = { ...fields, Id: newId(attributes.type) };
      state.created.set(attributes.type, [...(state.created.get(attributes.type) ?? []), stored]);
      return { id: stored.Id, success: true, errors: [] };
    });
    return { status: 200, body: results };
  }

  const server = await startFakeHttp((req) => {
    if (req.headers.authorization !== `Bearer ${token}`) return failure(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);
    const path = req.path.split('?')[0];
    const collection = /^\/services\/data\/v[\d.]+\/composite\/sobjects(?:\/(\w+)\/(\w+))?$/.exec(path);
    if (req.method === 'PATCH' && collection?.[1]) return upsert(collection[1], collection[2], req);
    if (req.method === 'POST' && collection && !collection[1]) return create(req);
    return failure(404, [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist: ${req.method} ${path}` }]);
  });

  return {
    ...server,
    state,
    token,
    /** Refuses these external id values (or created Subjects) per record, as `success:false`, until the test ends. */
    reject(keys: string[], message = 'Lead rejected by a validation rule') {
      for (const k of keys) rejections.set(k, message);
    },
    /**
     * The next `n` requests fail: 503 SERVER_UNAVAILABLE, 403 REQUEST_LIMIT_EXCEEDED
     * (Salesforce's API limit), or 429 with Retry-After when given.
     */
    failNext(n: number, status: 503 | 403 | 429 | 400, retryAfter?: string) {
      const body = {
        503: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server unavailable' }],
        403: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }],
        429: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'Too many requests' }],
        400: [{ errorCode: 'JSON_PARSER_ERROR', message: 'Unexpected character' }],
      }[status];
      server.script(...Array.from({ length: n }, () => failure(status, body, retryAfter)));
    },
    holdNext(n = 1) {
      server.script(...Array.from({ length: n }, () => 'hold' as const));
    },
  };
}

export type FakeSalesforce = Awaited<ReturnType<typeof startFakeSalesforce>>;
