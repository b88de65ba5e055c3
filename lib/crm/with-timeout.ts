/**
 * The work's answer, or a rejection with code ETIMEDOUT after `ms` (classified
 * as a network failure). For clients that take no timeout per call (jsforce
 * waits 30 minutes): the request itself is left to finish, which is harmless
 * for upserts by external id.
 */
export async function withTimeout<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
