import mongoose from 'mongoose';
import { accountContext, personFacts } from '../domain/entity-context';
import type { ScoredEvent } from '../domain/scoring/evaluate';
import type { BuyingGroupFacts, PersonFacts, TimedEvent } from '../domain/segments/evaluate';
import { PerformerIndex } from '../domain/segments/performers';
import { Rows } from '../domain/segments/rows';
import { BuyingGroup } from '../models/buying-group';
import { Account } from '../models/account';
import { Person } from '../models/person';
import { AudienceChanges, OVERLAP_MS, olderThanKept, readAudienceChanges, slotOf } from './audience-feed';
import { findEach } from './each-statement';

export interface SnapshotPerson {
  id: string;
  email?: string;
  accountKey?: string;
  facts: PersonFacts;
}

export interface AudienceSnapshot {
  /** When the last catch-up began: every write acknowledged before it is in. */
  asOf: Date;
  /** How long the wholesale load took. */
  loadedMs: number;
  people: Map<string, SnapshotPerson>;
  accounts: Map<string, Record<string, unknown>>;
  groupsByAccount: Map<string, BuyingGroupFacts[]>;
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
/** Unused this long, the snapshot is dropped and its memory given back. */
const IDLE_MS = 10 * 60_000;

/** What the snapshot reads of each document (the segments bench reads the same as its floor). */
export const SNAPSHOT_PROJECTIONS = {
  account: { score: 0, engagement: 0, recentlyActiveContacts: 0, topInterests: 0, activity: 0 },
  person: { summary: 0, activity: 0, 'score.breakdown': 0 },
  group: { accountKey: 1, solutionInterest: 1, status: 1, missingRoles: 1 },
};
const { account: ACCOUNT_PROJECTION, person: PERSON_PROJECTION, group: GROUP_PROJECTION } = SNAPSHOT_PROJECTIONS;

let current: AudienceSnapshot | undefined;
let loading: Promise<AudienceSnapshot> | undefined;
let catchingUp: Promise<void> | undefined;
let queued: Promise<void> | undefined;
let lastUsed = 0;
let follower: NodeJS.Timeout | undefined;

/**
 * Everyone's segment-relevant state in this process's memory: a preview
 * evaluates definitions here while a marketer types, instead of asking the
 * database to decode every person per keystroke (the embedded database pushes
 * no range or `$or` filter down). Loaded once, then kept current from the
 * audience feed, which every write of a person, account or buying group notes
 * before it is acknowledged: each preview first applies the notes filed up to
 * the moment it was asked, so it reflects every write acknowledged before.
 * `reload` loads everything again. Saved segments never use it: their
 * membership is exact and kept by the entity workflows.
 */
export async function audienceSnapshot(opts: { reload?: boolean; onError: (err: unknown) => void }): Promise<AudienceSnapshot> {
  lastUsed = Date.now();
  if (opts.reload || !current) await loadOnce();
  else await catchUp();
  follow(opts.onError);
  return current!;
}

async function loadOnce(): Promise<void> {
  await (loading ??= load().finally(() => (loading = undefined)));
}

/** One catch-up at a time; callers arriving meanwhile share the next one, which starts after theirs arrived. */
function catchUp(): Promise<void> {
  if (queued) return queued;
  const after = (catchingUp ?? Promise.resolve()).catch(() => undefined);
  queued = after.then(() => {
    queued = undefined;
    return (catchingUp = applyFeed().finally(() => (catchingUp = undefined)));
  });
  return queued;
}

function follow(onError: (err: unknown) => void): void {
  if (follower) return;
  follower = setInterval(() => {
    if (Date.now() - lastUsed > IDLE_MS) {
      clearInterval(follower);
      follower = undefined;
      current = undefined;
      return;
    }
    // Not while the process is closing its database connection (the read would wait in mongoose's buffer).
    if (current && !loading && mongoose.connection.readyState === mongoose.ConnectionStates.connected) catchUp().catch(onError);
  }, FOLLOW_EVERY_MS);
  follower.unref();
}

async function load(): Promise<AudienceSnapshot> {
  const started = Date.now();
  // Whatever is written from now on, during the load too, is applied again from the feed.
  const snapshot: AudienceSnapshot = {
    asOf: new Date(started),
    loadedMs: 0,
    people: new Map(),
    accounts: new Map(),
    groupsByAccount: new Map(),
    performers: new PerformerIndex(),
    personRows: new Rows(),
    accountRows: new Rows(),
    followedAt: started,
    known: new Map(),
  };
  for await (const a of Account.find({}, ACCOUNT_PROJECTION).lean().cursor({ batchSize: 1000 })) setAccount(snapshot, a);
  for await (const p of Person.find({}, PERSON_PROJECTION).lean().cursor({ batchSize: 1000 })) place(snapshot, p);
  for await (const g of BuyingGroup.find({}, GROUP_PROJECTION).lean().cursor({ batchSize: 1000 })) addGroup(snapshot, g);
  snapshot.loadedMs = Date.now() - started;
  current = snapshot;
  return snapshot;
}

/** Applies the notes filed since the last catch-up began, reading again the slots a late note may still land in. */
async function applyFeed(): Promise<void> {
  const snapshot = current!;
  const began = Date.now();
  if (olderThanKept(snapshot.followedAt, began)) {
    await loadOnce();
    return;
  }
  const { notes, changes } = await readAudienceChanges(slotOf(snapshot.followedAt - OVERLAP_MS), slotOf(began), snapshot.known);
  if (reloadIsCheaper(snapshot, changes)) {
    await loadOnce();
    // A load begun after these notes were read holds their writes: the next catch-up, reading the overlap again, skips them.
    if (current!.followedAt >= began) for (const [id, slot] of notes) current!.known.set(id, slot);
    return;
  }
  for (const [id, slot] of notes) snapshot.known.set(id, slot);
  // The next catch-up starts its reading at this slot: notes below it are never read again.
  const firstReadAgain = slotOf(began - OVERLAP_MS);
  for (const [id, slot] of snapshot.known) if (slot < firstReadAgain) snapshot.known.delete(id);
  snapshot.followedAt = began;
  await applyChanges(snapshot, changes);
  snapshot.asOf = new Date(began);
}

/**
 * Catching up reads each changed person, and each changed account with its
 * people: about one statement a person and two an account. After a bulk write
 * (an import) that is more statements than half the documents the snapshot
 * holds, and one wholesale load, which streams them, is the cheaper way (a
 * preview right after 10,000 accounts were imported: 26 s one by one).
 */
function reloadIsCheaper(snapshot: AudienceSnapshot, changes: AudienceChanges): boolean {
  const statements = changes.people.size + 2 * changes.accounts.size;
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
  // An account's facts are part of each of its people's: they are read again with it.
  const people = [
    ...(await findEach([...changes.people], (id) => Person.find({ _id: id }, PERSON_PROJECTION).lean())),
    ...(await findEach(accountKeys, (accountKey) => Person.find({ accountKey }, PERSON_PROJECTION).lean())),
  ];
  for (const id of changes.people) unplace(snapshot, id);
  for (const p of people) {
    unplace(snapshot, p._id);
    place(snapshot, p);
  }
  // A changed group's account keeps all its groups: they are read again together.
  const changedGroups = await findEach([...changes.buyingGroups], (id) => BuyingGroup.find({ _id: id }, { accountKey: 1 }).lean());
  const groupAccounts = [...new Set(changedGroups.map((g) => g.accountKey))];
  const regrouped = await findEach(groupAccounts, (accountKey) => BuyingGroup.find({ accountKey }, GROUP_PROJECTION).lean());
  for (const key of groupAccounts) snapshot.groupsByAccount.delete(key);
  for (const g of regrouped) addGroup(snapshot, g);
}

function setAccount(snapshot: AudienceSnapshot, a: Record<string, unknown> & { _id: string }): void {
  snapshot.accounts.set(a._id, a);
  snapshot.accountRows.set(a._id, { account: accountContext(a) });
}

function addGroup(snapshot: AudienceSnapshot, g: { accountKey: string; solutionInterest: string; status?: string | null; missingRoles?: string[] | null }): void {
  const facts: BuyingGroupFacts = { solutionInterest: g.solutionInterest, complete: g.status !== 'incomplete', missingRoles: g.missingRoles ?? [] };
  const groups = snapshot.groupsByAccount.get(g.accountKey);
  if (groups) groups.push(facts);
  else snapshot.groupsByAccount.set(g.accountKey, [facts]);
}

function place(snapshot: AudienceSnapshot, p: Record<string, any> & { _id: string }): void {
  if (p.mergedInto) return;
  const account = p.accountKey ? snapshot.accounts.get(p.accountKey) : undefined;
  const person: SnapshotPerson = {
    id: p._id,
    email: p.email ?? undefined,
    accountKey: p.accountKey ?? undefined,
    facts: personFacts(p, account, timed(p.recentEvents ?? []), p.score ?? { total: 0, status: 'nurture' }),
  };
  snapshot.people.set(person.id, person);
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
  snapshot.performers.remove(snapshot.personRows.row(id)!, before.facts);
  snapshot.personRows.delete(id);
}
