import { AsyncLocalStorage } from 'node:async_hooks';
import { Types } from 'mongoose';
import { AudienceChange } from '../models/audience-change';
import { findEach } from './each-statement';

export type AudienceKind = 'people' | 'accounts' | 'buyingGroups';

export interface AudienceChanges {
  people: Set<string>;
  accounts: Set<string>;
  buyingGroups: Set<string>;
}

/** Writes finishing within this window share one note (a group commit). */
const GATHER_MS = 2;
/** Notes are filed by the time slot they were written in, read back one slot (one equality) at a time. */
export const SLOT_MS = 5_000;
/**
 * A note is stored within this long of the time it is filed under: a writer
 * whose insert took longer files it again, under the time it is then
 * (fileInTime), before the write is acknowledged.
 */
export const LATE_MS = 3_000;
/** How far apart the clocks of the processes writing and reading the feed may be. */
const CLOCK_SKEW_MS = 2_000;
/**
 * A reader reads again the slots this far back from its last read: every
 * acknowledged write has a note stored within LATE_MS of the time it is filed
 * under, on a clock at most CLOCK_SKEW_MS from the reader's. Kept short because
 * each catch-up reads every note of those slots again (with 30 s, five notes in
 * six read were ones already applied, in the segment-save bench).
 */
export const OVERLAP_MS = LATE_MS + CLOCK_SKEW_MS;
/** Slots kept: a reader further behind than that reloads everything. */
const KEPT_SLOTS = 360;

interface Batch extends AudienceChanges {
  done: Promise<void>;
  settle: (err?: unknown) => void;
}

let gathering: Batch | undefined;
/** The changes of the unit of work running here, noted once at its end (see noteOnceFor). */
const deferred = new AsyncLocalStorage<AudienceChanges>();
let prunedUpTo = 0;

const emptyChanges = (): AudienceChanges => ({ people: new Set(), accounts: new Set(), buyingGroups: new Set() });
export const slotOf = (ms: number) => Math.floor(ms / SLOT_MS);

/**
 * Records that these documents were written, and resolves once the note is
 * stored: a write is acknowledged only after its note, so a reader that reads
 * the slots up to the moment it was asked sees every write acknowledged before.
 */
export function noteAudienceChange(kind: AudienceKind, ids: readonly string[]): Promise<void> {
  if (!ids.length) return Promise.resolve();
  const unit = deferred.getStore();
  if (unit) {
    for (const id of ids) unit[kind].add(id);
    return Promise.resolve();
  }
  if (!gathering) {
    let settle!: (err?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
    gathering = { ...emptyChanges(), done, settle };
    setTimeout(flush, GATHER_MS);
  }
  for (const id of ids) gathering[kind].add(id);
  return gathering.done;
}

/**
 * Runs `work` and notes everything it wrote in one note at its end, rather
 * than one after each write: a unit acknowledged as a whole (an entity's
 * batch) waits for one note instead of one per step. What was written is
 * noted even when the work fails, since a retry that finds it written
 * would write, and note, nothing.
 */
export async function noteOnceFor<T>(work: () => Promise<T>): Promise<T> {
  const changes = emptyChanges();
  try {
    return await deferred.run(changes, work);
  } finally {
    // Called together, the three kinds land in one note.
    await Promise.all((['people', 'accounts', 'buyingGroups'] as const).map((kind) => noteAudienceChange(kind, [...changes[kind]])));
  }
}

async function flush(): Promise<void> {
  const batch = gathering!;
  gathering = undefined;
  try {
    const list = (s: Set<string>) => (s.size ? [...s] : undefined);
    const [people, accounts, buyingGroups] = [list(batch.people), list(batch.accounts), list(batch.buyingGroups)];
    await fileInTime((at) => AudienceChange.collection.insertOne({ _id: new Types.ObjectId(), slot: slotOf(at.getTime()), people, accounts, buyingGroups, at } as never));
    batch.settle();
    await prune(slotOf(Date.now()));
  } catch (err) {
    batch.settle(err);
  }
}

/**
 * Stores a note through `insert`, given the time to file it under; again,
 * under a new time, for as long as the last insert took longer than LATE_MS:
 * readers read back only OVERLAP_MS, so a note stored later than that after
 * its time could land in a slot they have already passed.
 */
export async function fileInTime(insert: (at: Date) => Promise<unknown>, now: () => number = Date.now): Promise<void> {
  for (;;) {
    const at = now();
    await insert(new Date(at));
    if (now() - at <= LATE_MS) return;
  }
}

/** Each writer drops the slots that left the kept window since it last did (one equality each); another writer may have done it already. */
async function prune(slot: number): Promise<void> {
  const oldest = slot - KEPT_SLOTS;
  if (oldest <= prunedUpTo) return;
  const from = Math.max(prunedUpTo + 1, oldest - 10);
  prunedUpTo = oldest;
  for (let s = from; s <= oldest; s++) await AudienceChange.deleteMany({ slot: s });
}

/** The notes filed in slots `fromSlot`..`toSlot`, those not in `known` (note id → its slot). */
export async function readAudienceChanges(fromSlot: number, toSlot: number, known: ReadonlyMap<string, number>): Promise<{ notes: Map<string, number>; changes: AudienceChanges }> {
  const slots = Array.from({ length: toSlot - fromSlot + 1 }, (_, i) => fromSlot + i);
  const found = await findEach(slots, async (slot) => AudienceChange.find({ slot }).lean());
  const changes = emptyChanges();
  const notes = new Map<string, number>();
  for (const note of found) {
    const id = String(note._id);
    if (known.has(id)) continue;
    notes.set(id, note.slot);
    for (const kind of ['people', 'accounts', 'buyingGroups'] as const) for (const changed of note[kind] ?? []) changes[kind].add(changed);
  }
  return { notes, changes };
}

/**
 * Files a note naming nothing, whose id a saved snapshot keeps: finding it
 * again tells a process that the database is the one the snapshot was read
 * from (not emptied, replaced or restored to an older copy since), and that
 * the feed still holds the notes filed after it was saved.
 */
export async function fileMarkerNote(): Promise<string> {
  const at = new Date();
  const _id = new Types.ObjectId();
  await AudienceChange.collection.insertOne({ _id, slot: slotOf(at.getTime()), at } as never);
  return _id.toHexString();
}

export async function markerNoteKept(id: string): Promise<boolean> {
  return Types.ObjectId.isValid(id) && (await AudienceChange.exists({ _id: new Types.ObjectId(id) })) !== null;
}

/** Whether a reader last caught up so long ago that the slots it needs may be dropped. */
export const olderThanKept = (lastMs: number, nowMs: number) => slotOf(nowMs) - slotOf(lastMs - OVERLAP_MS) >= KEPT_SLOTS - 1;
