import { failure, FakeAnswer, RecordedRequest, startFakeHttp } from './fake-http';

/**
 * A fake LinkedIn Marketing API for DMP segment users: `POST
 * /rest/dmpSegments/{id}/users` (BATCH_CREATE) with `elements: [{ action:
 * 'ADD'|'REMOVE', userIds: [{ idType: 'SHA256_EMAIL', idValue }] }]`, answering
 * 200 with one `{ status }` per element in order. State: the hashed members
 * of each segment.
 */
export async function startFakeLinkedIn() {
  const token = 'fake-linkedin-token';
  const state = { segments: new Map<string, Set<string>>() };
  /** Hashed emails refused per element, with LinkedIn's message. */
  const rejections = new Map<string, string>();

  function users(segmentId: string, req: RecordedRequest): FakeAnswer {
    if (req.headers['x-restli-method'] !== 'BATCH_CREATE') return failure(400, { status: 400, message: 'X-RestLi-Method BATCH_CREATE is required' });
    if (!req.headers['linkedin-version']) return failure(426, { status: 426, code: 'VERSION_MISSING', message: 'A version must be present' });
    const elements: { action: string; userIds: { idType: string; idValue: string }[] }[] = req.body?.elements ?? [];
    if (elements.length > 5000) return failure(400, { status: 400, message: 'Batch size exceeds 5000' });
    const members = state.segments.get(segmentId) ?? new Set<string>();
    state.segments.set(segmentId, members);
    const results = elements.map((e) => {
      const hashed = e.userIds.find((u) => u.idType === 'SHA256_EMAIL')?.idValue;
      if (!hashed || !/^[0-9a-f]{64}$/.test(hashed)) return { status: 400, error: { message: 'userIds must hold a SHA256_EMAIL' } };
      const refused = rejections.get(hashed);
      if (refused) return { status: 400, error: { message: refused } };
      if (e.action === 'ADD') members.add(hashed);
      else if (e.action === 'REMOVE') members.delete(hashed);
      else return { status: 400, error: { message: `unknown action ${e.action}` } };
      return { status: 201 };
    });
    return { status: 200, body: { elements: results } };
  }

  const server = await startFakeHttp((req) => {
    if (req.headers.authorization !== `Bearer ${token}`) return failure(401, { status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' });
    const route = /^\/rest\/dmpSegments\/(\d+)\/users$/.exec(req.path.split('?')[0]);
    if (req.method === 'POST' && route) return users(route[1], req);
    return failure(404, { status: 404, message: `no route ${req.method} ${req.path}` });
  });

  return {
    ...server,
    state,
    token,
    members: (segmentId: string) => [...(state.segments.get(segmentId) ?? [])].sort(),
    reject(hashedEmails: string[], message = 'Member cannot be matched') {
      for (const h of hashedEmails) rejections.set(h, message);
    },
    failNext(n: number, status: 429 | 500 | 503 | 400, retryAfter?: string) {
      server.script(...Array.from({ length: n }, () => failure(status, { status, message: status === 429 ? 'Resource level throttle limit reached' : 'Internal Server Error' }, retryAfter)));
    },
    holdNext(n = 1) {
      server.script(...Array.from({ length: n }, () => 'hold' as const));
    },
  };
}

export type FakeLinkedIn = Awaited<ReturnType<typeof startFakeLinkedIn>>;
