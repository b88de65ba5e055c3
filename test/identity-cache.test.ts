import { changingBindings } from '../lib/identity-cache';
import { Identity } from '../models/identity';
import { IdentityVersion } from '../models/identity-version';
import { Interaction } from '../models/interaction';
import { Person } from '../models/person';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.api('PUT', '/v1/accounts/acme', { name: 'Acme Corp', domain: 'acme.example' });
  await h.api('PUT', '/v1/accounts/globex', { name: 'Globex', domain: 'globex.example' });
});
afterAll(() => h?.close());
afterEach(() => jest.restoreAllMocks());

/** Posts one event of this person's, naming no account, and answers the account it was stored under. */
async function accountOfNextEvent(email: string): Promise<string | undefined> {
  const e = event({ person: { email } });
  expect((await h.api('POST', '/v1/events', { events: [e] })).body.accepted).toBe(1);
  const stored = await eventually(async () => (await Interaction.findOne({ _id: e.eventId }).lean()) ?? undefined, { what: 'the event stored' });
  return stored.accountKey ?? undefined;
}

/** What another process (a worker, a second API) does when it moves a person: nothing in this process hears of it. */
async function movedElsewhere(email: string, accountKey: string) {
  const binding = (await Identity.findOne({ _id: `email:${email}` }).lean())!;
  await changingBindings(() => Identity.updateMany({ personId: binding.personId }, { $set: { accountKey } }));
}

const readsOf = (reads: jest.SpyInstance, key: string) => reads.mock.calls.filter((args: unknown[]) => (args[0] as { _id?: string } | undefined)?._id === key).length;

test('a person created here has her events routed without reading her identifiers', async () => {
  await h.api('PUT', '/v1/people/ann@acme.example', { firstName: 'Ann', accountKey: 'acme' });
  const reads = jest.spyOn(Identity, 'find');
  expect(await accountOfNextEvent('ann@acme.example')).toBe('acme');
  expect(readsOf(reads, 'email:ann@acme.example')).toBe(0);
});

test('a person another process created has her identifiers read once, then no more', async () => {
  await Person.create({ _id: 'p_dee', email: 'dee@acme.example', accountKey: 'acme' });
  await Identity.create({ _id: 'email:dee@acme.example', personId: 'p_dee', kind: 'email', value: 'dee@acme.example', accountKey: 'acme' });
  const reads = jest.spyOn(Identity, 'find');
  expect(await accountOfNextEvent('dee@acme.example')).toBe('acme');
  expect(await accountOfNextEvent('dee@acme.example')).toBe('acme');
  expect(readsOf(reads, 'email:dee@acme.example')).toBe(1);
});

test('a person another process moved to another account has her next event stored under the new account', async () => {
  await h.api('PUT', '/v1/people/bo@acme.example', { firstName: 'Bo', accountKey: 'acme' });
  expect(await accountOfNextEvent('bo@acme.example')).toBe('acme');
  await movedElsewhere('bo@acme.example', 'globex');
  expect(await accountOfNextEvent('bo@acme.example')).toBe('globex');
});

test('a move whose process was killed half-way is read from the database until it is counted finished, five minutes on', async () => {
  await h.api('PUT', '/v1/people/cy@acme.example', { firstName: 'Cy', accountKey: 'acme' });
  expect(await accountOfNextEvent('cy@acme.example')).toBe('acme');
  // The killed process counted its change started and changed the bindings, but never counted it finished.
  const before = (await IdentityVersion.findOne({ _id: 'identities' }).lean())!;
  await IdentityVersion.updateOne({ _id: 'identities' }, { $inc: { started: 1 }, $set: { startedAt: new Date() } });
  const binding = (await Identity.findOne({ _id: 'email:cy@acme.example' }).lean())!;
  await Identity.updateMany({ personId: binding.personId }, { $set: { accountKey: 'globex' } });
  expect(await accountOfNextEvent('cy@acme.example')).toBe('globex');
  expect((await IdentityVersion.findOne({ _id: 'identities' }).lean())!.finished).toBe(before.finished);

  await IdentityVersion.updateOne({ _id: 'identities' }, { $set: { startedAt: new Date(Date.now() - 6 * 60_000) } });
  expect(await accountOfNextEvent('cy@acme.example')).toBe('globex');
  const healed = (await IdentityVersion.findOne({ _id: 'identities' }).lean())!;
  expect(healed.finished).toBe(healed.started);
});
