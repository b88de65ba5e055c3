import mongoose from 'mongoose';
import { BuiltInEventType, EVENT_TYPES, isBuiltInEventType } from '../domain/events';
import { EventTypeRecord } from '../models/event-type';
import { findEach, writeEach } from './each-statement';
import { insertNew, isDuplicateKey } from './mongo-errors';

/** What ingestion needs of a registered custom name. */
export interface Registered {
  means?: BuiltInEventType;
}

/** A registration is read again after this long: a mapping set through another API process shows within it. */
const CACHE_MS = 5000;
/** Counts are summed in the process and written this often (one write per name, not per batch). */
const FLUSH_MS = 2000;

const cache = new Map<string, { entry: Registered | null; at: number }>();

function remember(name: string, entry: Registered | null): void {
  cache.set(name, { entry, at: Date.now() });
}

/** The registered custom names among these (built-in types need no registration), from a short cache. */
export async function registeredNames(names: Iterable<string>): Promise<Map<string, Registered>> {
  const custom = [...new Set(names)].filter((n) => !isBuiltInEventType(n));
  const found = new Map<string, Registered>();
  const missing: string[] = [];
  for (const name of custom) {
    const hit = cache.get(name);
    if (hit && Date.now() - hit.at < CACHE_MS) {
      if (hit.entry) found.set(name, hit.entry);
    } else missing.push(name);
  }
  const docs = await findEach(missing, (_id) => EventTypeRecord.find({ _id }, { means: 1 }).lean());
  for (const name of missing) {
    const doc = docs.find((d) => d._id === name);
    const entry = doc ? (doc.means ? { means: doc.means as BuiltInEventType } : {}) : null;
    remember(name, entry);
    if (entry) found.set(name, entry);
  }
  return found;
}

/** Registers custom names on first sight (a name registered meanwhile elsewhere stays as it is). */
export async function registerSeen(names: readonly string[]): Promise<void> {
  const now = new Date();
  await insertNew((docs) => EventTypeRecord.insertMany(docs, { ordered: false }), names.map((_id) => ({ _id, source: 'seen', registeredAt: now, count: 0 })));
  for (const name of names) remember(name, {});
}

/** Registers or updates a custom name ahead of its events; answers whether it was new. */
export async function putEventType(name: string, input: { description?: string; means?: BuiltInEventType }): Promise<boolean> {
  const unset = { ...(input.description === undefined ? { description: 1 } : {}), ...(input.means === undefined ? { means: 1 } : {}) };
  const set = { ...(input.description !== undefined ? { description: input.description } : {}), ...(input.means !== undefined ? { means: input.means } : {}) };
  const update = {
    ...(Object.keys(set).length ? { $set: set } : {}),
    ...(Object.keys(unset).length ? { $unset: unset } : {}),
    $setOnInsert: { source: 'api', registeredAt: new Date(), count: 0 },
  };
  const put = () => EventTypeRecord.updateOne({ _id: name }, update, { upsert: true });
  // Two first writers of one name: the loser's upsert meets the winner's document and updates it.
  const result = await put().catch((err) => (isDuplicateKey(err) ? put() : Promise.reject(err)));
  remember(name, input.means ? { means: input.means } : {});
  return result.upsertedCount > 0;
}

interface Tally {
  count: number;
  first: Date;
  last: Date;
}

const pending = new Map<string, Tally>();
let timer: NodeJS.Timeout | undefined;

/** Counts stored events by type; written within FLUSH_MS (a crashed process loses at most that much of the counts, never an event). */
export function countSeen(types: readonly string[], at: Date): void {
  for (const type of types) {
    const t = pending.get(type);
    if (t) {
      t.count += 1;
      t.last = at;
    } else pending.set(type, { count: 1, first: at, last: at });
  }
  if (!timer && pending.size) timer = setTimeout(() => void flushCounts(), FLUSH_MS).unref();
}

/** Writes the counts summed so far; what fails to be written is kept for the next flush. */
export async function flushCounts(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (!pending.size || mongoose.connection.readyState !== 1) return;
  const batch = [...pending];
  pending.clear();
  await writeEach(batch, async ([_id, t]) => {
    const update = { $inc: { count: t.count }, $min: { firstSeenAt: t.first }, $max: { lastSeenAt: t.last }, $setOnInsert: { source: 'seen', registeredAt: t.first } };
    const write = () => EventTypeRecord.updateOne({ _id }, update, { upsert: true });
    try {
      await write().catch((err) => (isDuplicateKey(err) ? write() : Promise.reject(err)));
    } catch {
      countBack(_id, t);
    }
  });
}

function countBack(type: string, t: Tally): void {
  const now = pending.get(type);
  pending.set(type, now ? { count: now.count + t.count, first: t.first < now.first ? t.first : now.first, last: t.last > now.last ? t.last : now.last } : t);
  if (!timer) timer = setTimeout(() => void flushCounts(), FLUSH_MS).unref();
}

export interface EventTypeView {
  name: string;
  builtIn: boolean;
  description: string | null;
  means: string | null;
  count: number;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  registeredAt: string | null;
}

/** Every built-in type and every registered name, with counts and first/last seen; built-in types first. */
export async function listEventTypes(): Promise<EventTypeView[]> {
  await flushCounts();
  const docs = await EventTypeRecord.find({}).lean();
  const byName = new Map(docs.map((d) => [d._id, d]));
  const view = (name: string): EventTypeView => {
    const d = byName.get(name);
    return {
      name,
      builtIn: isBuiltInEventType(name),
      description: d?.description ?? null,
      means: d?.means ?? null,
      count: d?.count ?? 0,
      firstSeenAt: d?.firstSeenAt?.toISOString() ?? null,
      lastSeenAt: d?.lastSeenAt?.toISOString() ?? null,
      registeredAt: isBuiltInEventType(name) ? null : (d?.registeredAt?.toISOString() ?? null),
    };
  };
  const custom = docs.map((d) => d._id).filter((n) => !isBuiltInEventType(n)).sort((a, b) => a.localeCompare(b));
  return [...EVENT_TYPES.map(view), ...custom.map(view)];
}

/** The names among these that are neither built in nor registered (a condition naming one would match nothing). */
export async function unknownEventTypes(named: readonly { path: string; type: string }[]): Promise<{ path: string; message: string }[]> {
  const known = await registeredNames(named.map((n) => n.type));
  return named
    .filter((n) => !isBuiltInEventType(n.type) && !known.has(n.type))
    .map((n) => ({ path: n.path, message: `no event type '${n.type}': use a built-in type (${EVENT_TYPES.join(', ')}) or a registered name (GET /v1/event-types; PUT /v1/event-types/:name registers one ahead)` }));
}
