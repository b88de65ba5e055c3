import { Types } from 'mongoose';
import { LATE_MS, noteOnceFor, slotOf } from '../lib/audience-feed';
import { checkpointHeader } from '../lib/audience-checkpoint';
import { audienceSnapshot, dropAudienceSnapshot } from '../lib/audience-snapshot';
import { op } from '../lib/query';
import { Account } from '../models/account';
import { AudienceChange } from '../models/audience-change';
import { Person } from '../models/person';
import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const person = (email: string) => h.api('PUT', `/v1/people/${email}`, { jobTitle: 'Buyer' }).then((r) => r.body.personId as string);
const preview = (email: string) =>
  h.api('POST', '/v1/segments/preview', { level: 'person', definition: { all: [{ field: 'person.email', op: 'eq', value: email }, { field: 'person.jobTitle', op: 'eq', value: 'CFO' }] } }).then((r) => r.body.count as number);
const notedSince = async (since: Date) => (await AudienceChange.find({}).lean()).filter((n) => n.at >= since);

test('people written together share a few notes in the audience feed, and every one of them is in a note when the write returns', async () => {
  const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => person(`batch${i}@feed.example`)));
  const since = new Date();
  await Promise.all(ids.map((_id) => Person.updateOne({ _id }, { $set: { department: 'Finance' } })));
  const written = await notedSince(since);
  expect(written.length).toBeLessThan(ids.length);
  expect(written.flatMap((n) => n.people ?? [])).toEqual(expect.arrayContaining(ids));
});

test('a change whose note is stored late, within the overlap a reader reads again, is counted by the next preview', async () => {
  // Written here rather than through the API, so no workflow writes these people meanwhile.
  await Person.create({ _id: 'p_feed_late', email: 'late@feed.example', jobTitle: 'Buyer' });
  expect(await preview('late@feed.example')).toBe(0);
  // A second preview has read the note of that insert: it is not applied again.
  expect(await preview('late@feed.example')).toBe(0);
  // A write whose note is not stored yet: the preview cannot know of it.
  await Person.collection.updateOne({ _id: 'p_feed_late' as never }, { $set: { jobTitle: 'CFO' } });
  expect(await preview('late@feed.example')).toBe(0);
  // Its note lands now, filed under a time as late as a writer may store it (one later files it again).
  const late = Date.now() - LATE_MS;
  await AudienceChange.collection.insertOne({ _id: new Types.ObjectId(), slot: slotOf(late), people: ['p_feed_late'], at: new Date(late) } as never);
  expect(await preview('late@feed.example')).toBe(1);
});

test('people inserted beside one that already exists are in the feed', async () => {
  const existing = await person('twice@feed.example');
  const since = new Date();
  const fresh = ['p_feed_new_1', 'p_feed_new_2'];
  await expect(Person.insertMany([{ _id: existing }, ...fresh.map((_id) => ({ _id }))], { ordered: false })).rejects.toThrow(/duplicate key/);
  expect((await notedSince(since)).flatMap((n) => n.people ?? [])).toEqual(expect.arrayContaining(fresh));
});

test('a guarded write that matches nobody adds no note', async () => {
  await Person.create({ _id: 'p_feed_handed', email: 'handed@feed.example', salesHandoverAt: new Date() });
  const since = new Date();
  // Handed over already: the guard matches nothing, as on a replay.
  await Person.updateOne({ _id: 'p_feed_handed', salesHandoverAt: op({ $exists: false }) }, { $set: { salesHandoverAt: new Date() } });
  await Person.updateOne({ _id: 'p_feed_nobody' }, { $set: { jobTitle: 'CFO' } });
  const noted = (await notedSince(since)).flatMap((n) => n.people ?? []);
  expect(noted).not.toContain('p_feed_handed');
  expect(noted).not.toContain('p_feed_nobody');
});

test('an account and its people written as one batch are noted once, after the last write, and a batch that fails part-way still notes what it wrote', async () => {
  const since = new Date();
  const notesNaming = async (id: string) => (await notedSince(since)).filter((n) => [...(n.people ?? []), ...(n.accounts ?? [])].includes(id));
  await noteOnceFor(async () => {
    await Person.create({ _id: 'p_feed_unit', email: 'unit@feed.example' });
    await Account.create({ _id: 'feed-unit.example', name: 'Feed Unit' });
    expect(await notesNaming('p_feed_unit')).toHaveLength(0);
  });
  const [note, ...others] = await notesNaming('p_feed_unit');
  expect(others).toHaveLength(0);
  expect(note.accounts).toEqual(['feed-unit.example']);

  const failed = noteOnceFor(async () => {
    await Person.create({ _id: 'p_feed_unit_failed', email: 'failed@feed.example' });
    throw new Error('the worker lost its database');
  });
  await expect(failed).rejects.toThrow('the worker lost its database');
  expect(await notesNaming('p_feed_unit_failed')).toHaveLength(1);
});

// Before the import below: its 300 accounts, still read again for a few seconds, would make a full load the cheaper way.
describe('the snapshot a restarted API reads', () => {
  const cfos = (fresh = false) =>
    h.api('POST', `/v1/segments/preview${fresh ? '?fresh=true' : ''}`, { level: 'person', definition: { field: 'person.jobTitle', op: 'eq', value: 'Saved CFO' } }).then((r) => r.body as { count: number; loadedFrom: string });
  const cfo = (email: string, jobTitle = 'Saved CFO') => h.api('PUT', `/v1/people/${email}`, { jobTitle });
  /** A load from the database, then its copy saved (the follower saves it within a second or so). */
  const savedNow = async () => {
    const loaded = Date.now();
    expect((await cfos(true)).loadedFrom).toBe('database');
    return eventually(async () => {
      const header = await checkpointHeader(h.audienceCheckpointDir);
      return header && header.asOfMs >= loaded ? header : undefined;
    }, { what: 'the snapshot to be saved' });
  };

  test('the first preview after a restart reads the saved copy and still counts what was written while the API was down', async () => {
    await Promise.all([cfo('ana@saved.example'), cfo('ben@saved.example')]);
    await savedNow();
    dropAudienceSnapshot();
    // Written while no API was up to see it.
    await Promise.all([cfo('cleo@saved.example'), cfo('dirk@saved.example')]);
    await cfo('ben@saved.example', 'Saved CTO');

    expect(await cfos()).toEqual(expect.objectContaining({ count: 3, loadedFrom: 'checkpoint' }));
    expect((await cfos(true)).count).toBe(3);
  });

  test('a copy saved from another database (replaced, or restored from an older backup) is not read', async () => {
    const header = await savedNow();
    dropAudienceSnapshot();
    // The database no longer holds the note filed when the copy was saved.
    await AudienceChange.deleteOne({ _id: new Types.ObjectId(header.noteId) });
    await cfo('dora@saved.example');

    expect(await cfos()).toEqual(expect.objectContaining({ count: 4, loadedFrom: 'database' }));
  });
});

test('a preview right after an import of more accounts than the snapshot held loads everything again once, then follows the feed in place', async () => {
  const bulk = (industry: string) =>
    h.api('POST', '/v1/segments/preview', { level: 'account', definition: { field: 'account.industry', op: 'eq', value: industry } }).then((r) => r.body.count as number);
  const snapshotNow = () => audienceSnapshot({ onError: (err) => { throw err; } });
  expect(await bulk('Bulk Feed')).toBe(0);
  const before = await snapshotNow();
  await Account.insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: `feed-bulk-${i}`, name: `Bulk ${i}`, industry: 'Bulk Feed' })));
  expect(await bulk('Bulk Feed')).toBe(300);
  const reloaded = await snapshotNow();
  expect(reloaded).not.toBe(before);
  // The import's notes may still be read again; they are not a reason to load everything again.
  await Account.updateOne({ _id: 'feed-bulk-0' }, { $set: { industry: 'Other' } });
  expect(await bulk('Bulk Feed')).toBe(299);
  expect(await snapshotNow()).toBe(reloaded);
});

test("a preview on an account's field counts its people as soon as the account is written, follows a person who moves to another account, and counts people whose account is created after them", async () => {
  const atSoftware = () =>
    h.api('POST', '/v1/segments/preview', { level: 'person', definition: { all: [{ field: 'account.industry', op: 'eq', value: 'Software' }, { field: 'person.email', op: 'contains', value: '@moves.feed.example' }] } }).then((r) => r.body.count as number);
  // Written here rather than through the API, so that no workflow writes these people meanwhile: only the accounts change.
  await Account.create([{ _id: 'feed-moves-a', name: 'Moves A', industry: 'Retail' }, { _id: 'feed-moves-b', name: 'Moves B', industry: 'Retail' }]);
  await Person.create([
    { _id: 'p_moves_1', email: 'one@moves.feed.example', accountKey: 'feed-moves-a' },
    { _id: 'p_moves_2', email: 'two@moves.feed.example', accountKey: 'feed-moves-a' },
    { _id: 'p_moves_3', email: 'three@moves.feed.example', accountKey: 'feed-moves-later' },
  ]);
  expect(await atSoftware()).toBe(0);

  await Account.updateOne({ _id: 'feed-moves-a' }, { $set: { industry: 'Software' } });
  expect(await atSoftware()).toBe(2);

  await Person.updateOne({ _id: 'p_moves_2' }, { $set: { accountKey: 'feed-moves-b' } });
  expect(await atSoftware()).toBe(1);
  await Account.updateOne({ _id: 'feed-moves-a' }, { $set: { industry: 'Retail' } });
  await Account.updateOne({ _id: 'feed-moves-b' }, { $set: { industry: 'Software' } });
  expect(await atSoftware()).toBe(1);

  await Account.create({ _id: 'feed-moves-later', name: 'Moves Later', industry: 'Software' });
  expect(await atSoftware()).toBe(2);
  expect((await h.api('POST', '/v1/segments/preview?fresh=true', { level: 'person', definition: { all: [{ field: 'account.industry', op: 'eq', value: 'Software' }, { field: 'person.email', op: 'contains', value: '@moves.feed.example' }] } })).body.count).toBe(2);
});
