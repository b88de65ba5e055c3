import { AudienceChange, Sequence } from '../models/audience-change';
import { findEach } from './each-statement';

export type AudienceKind = 'people' | 'accounts' | 'buyingGroups';

export interface AudienceChanges {
  people: Set<string>;
  accounts: Set<string>;
  buyingGroups: Set<string>;
}

const SEQUENCE = 'audience-changes';
/** Writes finishing within this window share one note (a group commit). */
const GATHER_MS = 5;
/** Notes per bucket, and buckets kept: a reader further behind than that reloads everything. */
export const BUCKET = 1000;
const KEPT_BUCKETS = 20;

interface Batch extends AudienceChanges {
  done: Promise<void>;
  settle: (err?: unknown) => void;
}

let gathering: Batch | undefined;

const emptyChanges = (): AudienceChanges => ({ people: new Set(), accounts: new Set(), buyingGroups: new Set() });

/**
 * Records that these documents were written, and resolves once the note is
 * stored: a write is acknowledged only after its note, so a reader that sees
 * the sequence at n sees every write acknowledged before it read n.
 */
export function noteAudienceChange(kind: AudienceKind, ids: readonly string[]): Promise<void> {
  if (!ids.length) return Promise.resolve();
  if (!gathering) {
    let settle!: (err?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
    gathering = { ...emptyChanges(), done, settle };
    setTimeout(flush, GATHER_MS);
  }
  for (const id of ids) gathering[kind].add(id);
  return gathering.done;
}

async function flush(): Promise<void> {
  const batch = gathering!;
  gathering = undefined;
  try {
    const { n } = (await Sequence.findOneAndUpdate({ _id: SEQUENCE }, { $inc: { n: 1 } }, { upsert: true, new: true }).lean())!;
    const list = (s: Set<string>) => (s.size ? [...s] : undefined);
    await AudienceChange.collection.insertOne({ _id: n, bucket: Math.floor(n / BUCKET), people: list(batch.people), accounts: list(batch.accounts), buyingGroups: list(batch.buyingGroups), at: new Date() } as never);
    // The first note of a bucket drops the oldest one kept.
    if (n % BUCKET === 0) await AudienceChange.deleteMany({ bucket: n / BUCKET - KEPT_BUCKETS });
    batch.settle();
  } catch (err) {
    batch.settle(err);
  }
}

/** The last note's number: every write acknowledged before this read has a note at or below it. */
export async function latestAudienceChange(): Promise<number> {
  return (await Sequence.findById(SEQUENCE).lean())?.n ?? 0;
}

/** Up to this many notes are read one by one; more are read by bucket. */
const BY_NUMBER = 64;

/** These notes, those that exist (a missing one is still being written, or its writer died before the write was acknowledged). */
export async function readAudienceChanges(numbers: readonly number[]): Promise<{ found: Set<number>; changes: AudienceChanges }> {
  const wanted = new Set(numbers);
  const notes =
    wanted.size <= BY_NUMBER
      ? await findEach([...wanted], async (n) => AudienceChange.find({ _id: n }).lean())
      : (await findEach([...new Set(numbers.map((n) => Math.floor(n / BUCKET)))], async (bucket) => AudienceChange.find({ bucket }).lean())).filter((note) => wanted.has(note._id));
  const changes = emptyChanges();
  const found = new Set<number>();
  for (const note of notes) {
    found.add(note._id);
    for (const kind of ['people', 'accounts', 'buyingGroups'] as const) for (const id of note[kind] ?? []) changes[kind].add(id);
  }
  return { found, changes };
}

/** Whether notes after `after` may already be dropped. */
export const olderThanKept = (after: number, latest: number) => latest - after > (KEPT_BUCKETS - 1) * BUCKET;
