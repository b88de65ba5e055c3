import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
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

/**
 * Looks keys up by hash, with a short cache so a busy ingest client does not
 * cost a database read per request. Revocation takes effect within the TTL.
 */
export class KeyResolver {
  private readonly cache = new Map<string, { ctx: AuthContext | null; expires: number }>();

  async resolve(key: string): Promise<AuthContext | null> {
    const hash = hashKey(key);
    const hit = this.cache.get(hash);
    if (hit && hit.expires > Date.now()) return hit.ctx;
    const doc = await ApiKey.findOne({ hash }).lean();
    const ctx = doc && !doc.revokedAt ? { keyId: doc._id, role: doc.role as Role, ownerId: doc.ownerId ?? undefined } : null;
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hash, { ctx, expires: Date.now() + CACHE_TTL_MS });
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
