import { LRUCache } from 'lru-cache';
import { Identity } from '../models/identity';
import { IdentityVersion } from '../models/identity-version';
import { findEach } from './each-statement';
import { newId } from './ids';
import { insertNew } from './mongo-errors';

export interface Binding {
  personId: string;
  accountKey?: string;
}

const VERSION_ID = 'identities';
/** About 150 bytes each: 100,000 kept bindings cost some 15 MB per process. */
const MAX_KEPT = 100_000;
/** A change counted as started this long ago and never finished died with its process. */
const STUCK_MS = 5 * 60_000;

const kept = new LRUCache<string, Binding>({ max: MAX_KEPT });
/** The version the kept bindings were read at; undefined while nothing may be kept. */
let keptAt: string | undefined;

type KeyedBinding = Binding & { _id: string };

export interface BoundIdentities {
  bound: Map<string, Binding>;
  /** Keeps bindings the caller has just inserted, unless a change began since the version was read. */
  keepInserted(bindings: readonly KeyedBinding[]): void;
}

/**
 * The bindings of these identifier keys. Each batch costs one read of the
 * version; keys already kept at that version cost nothing more, the others
 * one equality read each (the embedded database decodes a whole collection
 * for `$in`). New bindings are inserts that nothing kept can contradict, so
 * only changes to existing ones (`changingBindings`) make processes read again.
 */
export async function boundIdentities(keys: readonly string[]): Promise<BoundIdentities> {
  const version = await currentVersion();
  if (version !== keptAt) {
    kept.clear();
    keptAt = version;
  }
  const bound = new Map<string, Binding>();
  const missing: string[] = [];
  for (const key of new Set(keys)) {
    const binding = kept.get(key);
    if (binding) bound.set(key, binding);
    else missing.push(key);
  }
  const docs = await findEach(missing, (_id) => Identity.find({ _id }).lean());
  // Kept only if no change began since the version was read: a change since then may have been missed.
  const keep = (bindings: readonly KeyedBinding[]) => {
    if (version === undefined || keptAt !== version) return;
    for (const b of bindings) kept.set(b._id, { personId: b.personId, accountKey: b.accountKey });
  };
  const read = docs.map((doc) => ({ _id: doc._id, personId: doc.personId, accountKey: doc.accountKey ?? undefined }));
  for (const { _id, ...binding } of read) bound.set(_id, binding);
  keep(read);
  return { bound, keepInserted: keep };
}

/**
 * Runs a change to existing bindings (a merge re-pointing them, a person
 * moving account), counted as started before and finished after, so that
 * every process drops what it kept and none keeps what it read meanwhile.
 */
export async function changingBindings<R>(change: () => Promise<R>): Promise<R> {
  await versionDocument();
  await IdentityVersion.updateOne({ _id: VERSION_ID }, { $inc: { started: 1 }, $set: { startedAt: new Date() } });
  try {
    return await change();
  } finally {
    await IdentityVersion.updateOne({ _id: VERSION_ID }, { $inc: { finished: 1 } });
  }
}

/** The version to keep bindings at, or undefined while a change is under way. */
async function currentVersion(): Promise<string | undefined> {
  const v = await versionDocument();
  if (v.started === v.finished) return `${v.epoch}:${v.finished}`;
  // A process killed mid-change never counts it finished: after a while, count it for it.
  if (v.startedAt && Date.now() - v.startedAt.getTime() > STUCK_MS) {
    await IdentityVersion.updateOne({ _id: VERSION_ID, started: v.started, finished: v.finished }, { $set: { finished: v.started } });
  }
  return undefined;
}

async function versionDocument() {
  const found = await IdentityVersion.findOne({ _id: VERSION_ID }).lean();
  if (found) return found;
  await insertNew((docs) => IdentityVersion.insertMany(docs), [{ _id: VERSION_ID, epoch: newId('v'), started: 0, finished: 0 }]);
  return (await IdentityVersion.findOne({ _id: VERSION_ID }).lean())!;
}
