/**
 * A value read at most once per `ttlMs` per process, for what every entity batch
 * needs (the scoring model, the saved segments). Versions only grow, so the
 * cache never goes back to an older one; `atLeast` (the newest version the data
 * was already evaluated with) forces a read when the cache is behind, and
 * `fresh` reads regardless — a refresh must see the latest.
 */
export function versionedCache<T>(read: () => Promise<T>, versionOf: (value: T) => number, ttlMs = 1000) {
  let cached: { value: T; readAt: number } | undefined;
  return async (opts: { atLeast?: number; fresh?: boolean } = {}): Promise<T> => {
    const now = Date.now();
    if (cached && !opts.fresh && now - cached.readAt < ttlMs && versionOf(cached.value) >= (opts.atLeast ?? 0)) return cached.value;
    const value = await read();
    if (!cached || versionOf(value) >= versionOf(cached.value)) cached = { value, readAt: now };
    return cached.value;
  };
}
