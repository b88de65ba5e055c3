import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { LRUCache } from 'lru-cache';
import type { Role } from '../domain/roles';
import { newId } from '../lib/ids';
import { ApiKey } from '../models/api-key';
import { ApiError } from './errors';

export interface AuthContext {
  keyId: string;
  role: Role;
  ownerId?: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const BOOTSTRAP_ADMIN_ID = 'admin-bootstrap';

/** The admin key from ADMIN_API_KEY, stored hashed; re-pointed if the variable changes. */
export async function ensureAdminKey(adminKey: string): Promise<void> {
  await ApiKey.updateOne(
    { _id: BOOTSTRAP_ADMIN_ID },
    { $set: { hash: hashKey(adminKey), role: 'admin', name: 'bootstrap admin (ADMIN_API_KEY)' } },
    { upsert: true },
  );
}

export async function createApiKey(input: { role: Role; name: string; ownerId?: string }): Promise<{ id: string; key: string }> {
  const id = newId('key');
  const key = `b2b_${randomBytes(24).toString('base64url')}`;
  await ApiKey.create({ _id: id, hash: hashKey(key), role: input.role, name: input.name, ownerId: input.ownerId });
  return { id, key };
}

const CACHE_TTL_MS = 30000;
const CACHE_MAX = 1000;

/** The live key with this hash, if any (revoked keys are none). */
export async function findKeyByHash(hash: string): Promise<AuthContext | null> {
  const doc = await ApiKey.findOne({ hash }).lean();
  return doc && !doc.revokedAt ? { keyId: doc._id, role: doc.role as Role, ownerId: doc.ownerId ?? undefined } : null;
}

/**
 * Looks keys up by hash, with a short cache so a busy ingest client does not
 * cost a database read per request. Revocation takes effect within the TTL.
 * Unknown keys are remembered apart, in their own bounded cache: a flood of
 * bad keys can never push a valid key out.
 */
export class KeyResolver {
  private readonly known = new LRUCache<string, AuthContext>({ max: CACHE_MAX, ttl: CACHE_TTL_MS });
  private readonly unknown = new LRUCache<string, true>({ max: CACHE_MAX, ttl: CACHE_TTL_MS });

  constructor(private readonly lookup: (hash: string) => Promise<AuthContext | null> = findKeyByHash) {}

  async resolve(key: string): Promise<AuthContext | null> {
    const hash = hashKey(key);
    const hit = this.known.get(hash);
    if (hit) return hit;
    if (this.unknown.has(hash)) return null;
    const ctx = await this.lookup(hash);
    if (ctx) this.known.set(hash, ctx);
    else this.unknown.set(hash, true);
    return ctx;
  }
}

export function authenticate(resolver: KeyResolver): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(new ApiError(401, 'unauthorized', 'missing or malformed Authorization: Bearer <key> header'));
    const ctx = await resolver.resolve(match[1]);
    if (!ctx) return next(new ApiError(401, 'unauthorized', 'unknown or revoked API key'));
    res.locals.auth = ctx;
    next();
  };
}

export function authOf(res: { locals: Record<string, unknown> }): AuthContext {
  return res.locals.auth as AuthContext;
}
