import mongoose from 'mongoose';
import { accountContext, personFacts } from '../domain/entity-context';
import type { ScoredEvent } from '../domain/scoring/evaluate';
import type { BuyingGroupFacts, PersonFacts, TimedEvent } from '../domain/segments/evaluate';
import { PerformerIndex } from '../domain/segments/performers';
import { Rows } from '../domain/segments/rows';
import { BuyingGroup } from '../models/buying-group';
import { Account } from '../models/account';
import { Person } from '../models/person';
import { CheckpointFrame, CheckpointSection, openCheckpoint, saveCheckpoint } from './audience-checkpoint';
import { AudienceChanges, fileMarkerNote, markerNoteKept, OVERLAP_MS, olderThanKept, readAudienceChanges, slotOf } from './audience-feed';
import { findEach } from './each-statement';

export interface SnapshotPerson {
  id: string;
  email?: string;
  accountKey?: string;
  facts: PersonFacts;
  /** The document as read, kept for the saved copy (it shares its values with `facts`). */
  doc: StoredDoc;
}

type StoredDoc = Record<string, any> & { _id: string };

export interface AudienceSnapshot {
  /** When the last catch-up began: every write acknowledged before it is in. */
  asOf: Date;
  /** How long the wholesale load took (from the saved copy: with its catch-up). */
  loadedMs: number;
  /** Where the wholesale load read: the database, or the copy this process's storage kept (a restart). */
  loadedFrom: 'database' | 'checkpoint';
  people: Map<string, SnapshotPerson>;
  /** The ids of the people each account key is named by, joined or not (the account may not exist yet). */
  peopleByAccount: Map<string, Set<string>>;
  accounts: Map<string, Record<string, unknown>>;
  groupsByAccount: Map<string, BuyingGroupFacts[]>;
  /** Each account's buying groups as read, kept for the saved copy. */
  groupDocs: Map<string, StoredDoc[]>;
  /** Everyone's events by type and day, for the `performed` parts of a definition. */
  performers: PerformerIndex;
  /** People and accounts by row, with the columns previews asked for. */
  personRows: Rows;
  accountRows: Rows;
  /** When the last catch-up (or the load) began, and the notes read since in slots still read again (note id → slot). */
  followedAt: number;
  known: Map<string, number>;
}

/** While previews are asked for, the snapshot follows the feed in the background, so a preview has little to catch up. */
const FOLLOW_EVERY_MS = 1_000;
/**
 * Unused for 30 s, it follows ten times less often: each catch-up reads the
 * feed's last slots again (OVERLAP_MS); when that was 30 s of them, with
 * nothing new, about 140 ms of reads a second at 20,000 people (measured
 * after a buying-group set-up).
 */
const QUIET_AFTER_MS = 30_000;
const QUIET_FOLLOW_EVERY_MS = 10_000;
/** Unused this long, the snapshot is dropped and its memory given back. */
const IDLE_MS = 10 * 60_000;
/**
 * While it is in use, the snapshot is saved this often (and right after a load
 * from the database): a process starting again within the feed's kept window
 * (30 minutes) reads the copy and catches up, instead of reading everyone.
 */
const SAVE_EVERY_MS = 5 * 60_000;
/** Documents a frame of the saved copy holds: one is serialized at a time, so the API keeps answering meanwhile. */
const FRAME_DOCS = 1_000;

/** What the snapshot reads of each document (the segments bench reads the same as its floor). */
export const SNAPSHOT_PROJECTIONS = {
  account: { score: 0, engagement: 0, recentlyActiveContacts: 0, topInterests: 0, activity: 0 },
  person: { summary: 0, activity: 0, 'score.breakdown': 0 },
  group: { accountKey: 1, solutionInterest: 1, status: 1, missingRoles: 1 },
};
const { account: ACCOUNT_PROJECTION, person: PERSON_PROJECTION, group: GROUP_PROJECTION } = SNAPSHOT_PROJECTIONS;
/** A saved copy of another shape (other projections) is not read. */
const CHECKPOINT_FORMAT = `1:${JSON.stringify(SNAPSHOT_PROJECTIONS)}`;

interface SnapshotOptions {
  /** Reload from the database, even when the snapshot is current. */
  reload?: boolean;
  /** Where the snapshot is saved for the next start of this process; none when absent. */
  checkpointDir?: string;
  onError: (err: unknown) => void;
}

let current: AudienceSnapshot | undefined;
let loading: Promise<void> | undefined;
let catchingUp: Promise<void> | undefined;
let queued: Promise<void> | undefined;
let lastUsed = 0;
let follower: NodeJS.Timeout | undefined;
let options: SnapshotOptions | undefined;
let saving: Promise<void> | undefined;
/** When the snapshot is next saved. */
let saveDue = Infinity;

/**
 * Everyone's segment-relevant state in this process's memory: a preview
 * evaluates definitions here while a marketer types, instead of asking the
 * database to decode every person per keystroke (the embedded database pushes
 * no range or `$or` filter down). Loaded once, then kept current from the
 * audience feed, which every write of a person, account or buying group notes
 * before it is acknowledged: each preview first applies the notes filed up to
 * the moment it was asked, so it reflects every write acknowledged before.
 * `reload` loads everything again. Saved to `checkpointDir` while in use, so
 * that the first preview after a restart reads that copy and catches up.
 * Saved segments never use it: their membership is exact and kept by the
 * entity workflows.
 */
export async function audienceSnapshot(opts: SnapshotOptions): Promise<AudienceSnapshot> {
  lastUsed = Date.now();
  options = opts;
  if (opts.reload || !current) await loadOnce(opts.reload ? 'database' : 'either');
  else await catchUp();
  follow();
  return current!;
}

/**
 * The snapshot for a one-off reader (a buying-group set-up): the one previews
 * hold, caught up, when they hold it; otherwise one loaded for this reader
 * alone and then let go. Only previews start the background follow: for a
 * set-up it would hold everyone in memory and read the feed for ten minutes
 * for nobody (it was also measured slowing identity resolution 8-10× once,
 * which later runs of equivalent code did not repeat).
 */
export async function audienceSnapshotOnce(opts: SnapshotOptions): Promise<AudienceSnapshot> {
  if (loading) await loading;
  if (!current) return loadFromDatabase();
  options = opts;
  await catchUp();
  return current;
}

/** Drops the snapshot, as a process that stopped would have; the next preview loads it again. */
export function dropAudienceSnapshot(): void {
  current = undefined;
  saveDue = Infinity;
}

async function loadOnce(from: 'database' | 'either'): Promise<void> {
  await (loading ??= load(from).finally(() => (loading = undefined)));
}

/** One catch-up at a time; callers arriving meanwhile share the next one, which starts after theirs arrived. */
function catchUp(): Promise<void> {
  if (queued) return queued;
  const after = (catchingUp ?? Promise.resolve()).catch(() => undefined);
  queued = after.then(() => {
    queued = undefined;
    return (catchingUp = followFeed().finally(() => (catchingUp = undefined)));
  });
  return queued;
}

function follow(): void {
  if (follower) return;
  follower = setInterval(() => {
    if (Date.now() - lastUsed > IDLE_MS) {
      clearInterval(follower);
      follower = undefined;
      dropAudienceSnapshot();
      return;
    }
    // Not while the process is closing its database connection (the read would wait in mongoose's buffer).
    if (!current || loading || mongoose.connection.readyState !== mongoose.ConnectionStates.connected) return;
    const now = Date.now();
    if (now - lastUsed > QUIET_AFTER_MS && now - current.followedAt < QUIET_FOLLOW_EVERY_MS) return;
    catchUp().catch(options!.onError);
    saveIfDue();
  }, FOLLOW_EVERY_MS);
  follower.unref();
}

async function load(from: 'database' | 'either'): Promise<void> {
  const restored = from === 'either' ? await restore().catch((err) => options!.onError(err)) : undefined;
  if (restored) current = restored;
  else {
    current = await loadFromDatabase();
    saveDue = 0;
  }
}

function emptySnapshot(asOfMs: number, loadedFrom: AudienceSnapshot['loadedFrom']): AudienceSnapshot {
  return {
    asOf: new Date(asOfMs),
    loadedMs: 0,
    loadedFrom,
    people: new Map(),
    peopleByAccount: new Map(),
    accounts: new Map(),
    groupsByAccount: new Map(),
    groupDocs: new Map(),
    performers: new PerformerIndex(),
    personRows: new Rows(),
    accountRows: new Rows(),
    followedAt: asOfMs,
    known: new Map(),
  };
}

async function loadFromDatabase(): Promise<AudienceSnapshot> {
  const started = Date.now();
  // Whatever is written from now on, during the load too, is applied again from the feed.
  const snapshot = emptySnapshot(started, 'database');
  // A note stored before the load begins follows a write the load reads: catching up skips it.
  snapshot.known = (await readAudienceChanges(slotOf(started - OVERLAP_MS), slotOf(started), snapshot.known)).notes;
  for await (const a of Account.find({}, ACCOUNT_PROJECTION).lean().cursor({ batchSize: 1000 })) setAccount(snapshot, a);
  for await (const p of Person.find({}, PERSON_PROJECTION).lean().cursor({ batchSize: 1000 })) place(snapshot, p);
  for await (const g of BuyingGroup.find({}, GROUP_PROJECTION).lean().cursor({ batchSize: 1000 })) addGroup(snapshot, g);
  snapshot.loadedMs = Date.now() - started;
  return snapshot;
}

/**
 * The copy saved by this process's last run, caught up from the feed; none
 * when there is no usable copy: another shape, older than the feed keeps, or
 * saved from another database (its marker note is not there).
 */
async function restore(): Promise<AudienceSnapshot | undefined> {
  const dir = options!.checkpointDir;
  if (!dir) return undefined;
  const started = Date.now();
  const saved = await openCheckpoint(dir);
  if (!saved) return undefined;
  const { header } = saved;
  const snapshot = emptySnapshot(header.asOfMs, 'checkpoint');
  try {
    if (header.format !== CHECKPOINT_FORMAT || olderThanKept(header.asOfMs, started) || !(await markerNoteKept(header.noteId))) return undefined;
    snapshot.known = new Map(header.known);
    for await (const { section, docs } of saved.frames()) {
      for (const doc of docs as StoredDoc[]) {
        if (section === 'accounts') setAccount(snapshot, doc);
        else if (section === 'people') place(snapshot, doc);
        else addGroup(snapshot, doc as GroupDoc);
      }
    }
  } finally {
    await saved.close();
  }
  if ((await applyFeed(snapshot)).reload) return undefined;
  snapshot.loadedMs = Date.now() - started;
  saveDue = Date.now() + SAVE_EVERY_MS;
  return snapshot;
}

function saveIfDue(): void {
  const dir = options!.checkpointDir;
  if (!dir || saving || Date.now() < saveDue) return;
  saveDue = Date.now() + SAVE_EVERY_MS;
  saving = save(current!, dir)
    .catch(options!.onError)
    .finally(() => (saving = undefined));
}

async function save(snapshot: AudienceSnapshot, dir: string): Promise<void> {
  // Taken at once: a catch-up replaces documents in the snapshot, it never changes one, so these stay as they are now.
  const asOfMs = snapshot.followedAt;
  const known = [...snapshot.known];
  const sections: Record<CheckpointSection, object[]> = {
    accounts: [...snapshot.accounts.values()],
    people: [...snapshot.people.values()].map((p) => p.doc),
    groups: [...snapshot.groupDocs.values()].flat(),
  };
  const noteId = await fileMarkerNote();
  await saveCheckpoint(dir, { format: CHECKPOINT_FORMAT, asOfMs, known, noteId }, inFrames(sections));
}

function* inFrames(sections: Record<CheckpointSection, object[]>): Generator<CheckpointFrame> {
  for (const section of ['accounts', 'people', 'groups'] as const) {
    const docs = sections[section];
    for (let i = 0; i < docs.length; i += FRAME_DOCS) yield { section, docs: docs.slice(i, i + FRAME_DOCS) };
  }
}

/** Follows the feed; a wholesale load from the database when that is the cheaper or the only way. */
async function followFeed(): Promise<void> {
  if ((await applyFeed(current!)).reload) await loadOnce('database');
}

/**
 * Applies the notes filed since the snapshot last followed the feed, reading
 * again the slots a late note may still land in; or says a wholesale load is
 * due (the slots it needs may be dropped, or the changes outnumber what a load reads).
 */
async function applyFeed(snapshot: AudienceSnapshot): Promise<{ reload: boolean }> {
  const began = Date.now();
  if (olderThanKept(snapshot.followedAt, began)) return { reload: true };
  const { notes, changes } = await readAudienceChanges(slotOf(snapshot.followedAt - OVERLAP_MS), slotOf(began), snapshot.known);
  if (reloadIsCheaper(snapshot, changes)) return { reload: true };
  await applyChanges(snapshot, changes);
  // Only once the changes are in (a failed catch-up is read again whole), and all at once, so a save takes a consistent point.
  for (const [id, slot] of notes) snapshot.known.set(id, slot);
  // The next catch-up starts its reading at this slot: notes below it are never read again.
  const firstReadAgain = slotOf(began - OVERLAP_MS);
  for (const [id, slot] of snapshot.known) if (slot < firstReadAgain) snapshot.known.delete(id);
  snapshot.followedAt = began;
  snapshot.asOf = new Date(began);
  return { reload: false };
}

/**
 * Catching up reads each changed person, account and group: about one
 * statement each. After a bulk write (an import) that is more statements than
 * half the documents the snapshot holds, and one wholesale load, which streams
 * them, is the cheaper way (a preview right after 10,000 accounts were
 * imported: 26 s one by one).
 */
function reloadIsCheaper(snapshot: AudienceSnapshot, changes: AudienceChanges): boolean {
  const statements = changes.people.size + changes.accounts.size + changes.buyingGroups.size;
  return statements > 100 && statements > (snapshot.people.size + snapshot.accounts.size) / 2;
}

async function applyChanges(snapshot: AudienceSnapshot, changes: AudienceChanges): Promise<void> {
  const accountKeys = [...changes.accounts];
  const accounts = await findEach(accountKeys, (key) => Account.find({ _id: key }, ACCOUNT_PROJECTION).lean());
  for (const key of accountKeys) {
    snapshot.accounts.delete(key);
    snapshot.accountRows.delete(key);
  }
  for (const a of accounts) setAccount(snapshot, a);
  // An account's facts are part of each of its people's. Their documents did
  // not change unless the feed says so, so the ones held are placed again.
  for (const key of accountKeys) {
    for (const id of [...(snapshot.peopleByAccount.get(key) ?? [])]) {
      if (changes.people.has(id)) continue;
      const { doc } = snapshot.people.get(id)!;
      unplace(snapshot, id);
      place(snapshot, doc);
    }
  }
  const people = await findEach([...changes.people], (id) => Person.find({ _id: id }, PERSON_PROJECTION).lean());
  for (const id of changes.people) unplace(snapshot, id);
  for (const p of people) place(snapshot, p);
  await applyGroupChanges(snapshot, changes.buyingGroups);
}

/**
 * Each changed group read once, by its id: it leaves the account it was listed
 * under (it may be gone) and joins the one it names now. The facts of every
 * account touched are then built again from its listed groups.
 */
async function applyGroupChanges(snapshot: AudienceSnapshot, ids: ReadonlySet<string>): Promise<void> {
  if (!ids.size) return;
  const found = await findEach([...ids], (id) => BuyingGroup.find({ _id: id }, GROUP_PROJECTION).lean<GroupDoc[]>());
  const touched = new Set(found.map((g) => g.accountKey));
  for (const [accountKey, docs] of snapshot.groupDocs) {
    if (!docs.some((g) => ids.has(g._id))) continue;
    touched.add(accountKey);
    snapshot.groupDocs.set(accountKey, docs.filter((g) => !ids.has(g._id)));
  }
  for (const g of found) append(snapshot.groupDocs, g.accountKey, g);
  for (const accountKey of touched) {
    const docs = (snapshot.groupDocs.get(accountKey) ?? []) as GroupDoc[];
    snapshot.groupDocs.delete(accountKey);
    snapshot.groupsByAccount.delete(accountKey);
    for (const g of docs) addGroup(snapshot, g);
  }
}

function setAccount(snapshot: AudienceSnapshot, a: Record<string, unknown> & { _id: string }): void {
  snapshot.accounts.set(a._id, a);
  snapshot.accountRows.set(a._id, { account: accountContext(a) });
}

type GroupDoc = StoredDoc & { accountKey: string; solutionInterest: string; status?: string | null; missingRoles?: string[] | null };

function addGroup(snapshot: AudienceSnapshot, g: GroupDoc): void {
  const facts: BuyingGroupFacts = { solutionInterest: g.solutionInterest, complete: g.status !== 'incomplete', missingRoles: g.missingRoles ?? [] };
  append(snapshot.groupsByAccount, g.accountKey, facts);
  append(snapshot.groupDocs, g.accountKey, g);
}

function append<T>(map: Map<string, T[]>, key: string, item: T): void {
  const items = map.get(key);
  if (items) items.push(item);
  else map.set(key, [item]);
}

function place(snapshot: AudienceSnapshot, p: StoredDoc): void {
  if (p.mergedInto) return;
  const account = p.accountKey ? snapshot.accounts.get(p.accountKey) : undefined;
  const person: SnapshotPerson = {
    id: p._id,
    email: p.email ?? undefined,
    accountKey: p.accountKey ?? undefined,
    facts: personFacts(p, account, timed(p.recentEvents ?? []), p.score ?? { total: 0, status: 'nurture' }),
    doc: p,
  };
  snapshot.people.set(person.id, person);
  if (person.accountKey) {
    const ids = snapshot.peopleByAccount.get(person.accountKey);
    if (ids) ids.add(person.id);
    else snapshot.peopleByAccount.set(person.accountKey, new Set([person.id]));
  }
  const row = snapshot.personRows.set(person.id, { person: person.facts.person, account: person.facts.account });
  snapshot.performers.add(row, person.facts);
}

/** Times parsed once here rather than at every evaluation. */
function timed(events: ScoredEvent[]): TimedEvent[] {
  for (const e of events as TimedEvent[]) e.occurredMs = Date.parse(e.occurredAt);
  return events;
}

function unplace(snapshot: AudienceSnapshot, id: string): void {
  const before = snapshot.people.get(id);
  if (!before) return;
  snapshot.people.delete(id);
  const ids = before.accountKey ? snapshot.peopleByAccount.get(before.accountKey) : undefined;
  ids?.delete(id);
  if (ids?.size === 0) snapshot.peopleByAccount.delete(before.accountKey!);
  snapshot.performers.remove(snapshot.personRows.row(id)!, before.facts);
  snapshot.personRows.delete(id);
}
