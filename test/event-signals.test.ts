import type { AccountEvent } from '../domain/events';
import type { EntityRef } from '../domain/routing';
import { EventSignals } from '../lib/event-signals';

const entity = (accountKey: string): EntityRef => ({ kind: 'account', accountKey });
const events = (prefix: string, n: number): AccountEvent[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `${prefix}-${i}`, type: 'web_visit', occurredAt: '2026-11-01T09:00:00Z', personId: 'p1' }));
const batch = (accountKey: string, list: AccountEvent[]) => new Map([[`account:${accountKey}`, { entity: entity(accountKey), events: list }]]);
const settled = () => new Promise((r) => setImmediate(r));

/** A send whose calls stay open until the test finishes them. */
function heldSends() {
  const calls: { accountKey: string; eventIds: string[]; finish: (err?: Error) => void }[] = [];
  const send = (e: EntityRef, list: AccountEvent[]) =>
    new Promise<void>((resolve, reject) => calls.push({ accountKey: e.kind === 'account' ? e.accountKey : e.personId, eventIds: list.map((x) => x.eventId), finish: (err) => (err ? reject(err) : resolve()) }));
  return { calls, send };
}

test("an account's events that arrive while its signal is in flight go out together in its next signal, never two at once for one account", async () => {
  const { calls, send } = heldSends();
  const signals = new EventSignals(send);
  const first = signals.enqueue(batch('acme', events('a', 2)));
  await settled();
  const second = signals.enqueue(batch('acme', events('b', 1)));
  const third = signals.enqueue(batch('acme', events('c', 1)));
  await settled();
  expect(calls.map((c) => c.eventIds)).toEqual([['a-0', 'a-1']]);
  calls[0].finish();
  expect(await first.sent).toEqual({ delivered: 1, failed: 0 });
  await settled();
  expect(calls.map((c) => c.eventIds)).toEqual([['a-0', 'a-1'], ['b-0', 'c-0']]);
  calls[1].finish();
  expect(await second.sent).toEqual({ delivered: 1, failed: 0 });
  expect(await third.sent).toEqual({ delivered: 1, failed: 0 });
});

test('different accounts are signalled side by side, each batch answered once all of its accounts were', async () => {
  const { calls, send } = heldSends();
  const signals = new EventSignals(send);
  const both = new Map([...batch('acme', events('a', 1)), ...batch('globex', events('g', 1))]);
  let answered = false;
  const { sent } = signals.enqueue(both);
  void sent.then(() => (answered = true));
  await settled();
  expect(calls.map((c) => c.accountKey).sort()).toEqual(['acme', 'globex']);
  calls[0].finish();
  await settled();
  expect(answered).toBe(false);
  calls[1].finish();
  expect(await sent).toEqual({ delivered: 2, failed: 0 });
});

test('a batch waits before it is stored while the process holds more unsignalled events than its limit, and goes on once they are taken', async () => {
  const { calls, send } = heldSends();
  const signals = new EventSignals(send, { maxQueuedEvents: 3, maxEventsPerSignal: 1000, maxInFlight: 4 });
  signals.enqueue(batch('acme', events('a', 1)));
  await settled();
  // acme's first call is in flight; these three wait behind it.
  signals.enqueue(batch('acme', events('b', 3)));
  let roomGiven = false;
  void signals.room().then(() => (roomGiven = true));
  await settled();
  expect(roomGiven).toBe(false);
  calls[0].finish();
  await settled();
  await settled();
  expect(calls.map((c) => c.eventIds)).toHaveLength(2);
  expect(roomGiven).toBe(true);
});

test('one signal carries at most the limit of events; the rest follow in the next', async () => {
  const { calls, send } = heldSends();
  const signals = new EventSignals(send, { maxQueuedEvents: 10000, maxEventsPerSignal: 3, maxInFlight: 4 });
  signals.enqueue(batch('acme', events('a', 1)));
  await settled();
  signals.enqueue(batch('acme', events('b', 2)));
  signals.enqueue(batch('acme', events('c', 2)));
  calls[0].finish();
  await settled();
  await settled();
  expect(calls[1].eventIds).toEqual(['b-0', 'b-1']);
  calls[1].finish();
  await settled();
  await settled();
  expect(calls[2].eventIds).toEqual(['c-0', 'c-1']);
});

test('a signal that fails counts as failed for each batch it carried, and the next events for that account are still sent', async () => {
  const { calls, send } = heldSends();
  const signals = new EventSignals(send);
  const first = signals.enqueue(batch('acme', events('a', 1)));
  await settled();
  calls[0].finish(new Error('Temporal unreachable'));
  expect(await first.sent).toEqual({ delivered: 0, failed: 1 });
  const next = signals.enqueue(batch('acme', events('b', 1)));
  await settled();
  calls[1].finish();
  expect(await next.sent).toEqual({ delivered: 1, failed: 0 });
});

test('shutting down waits until every queued event has been signalled', async () => {
  const { calls, send } = heldSends();
  const signals = new EventSignals(send);
  signals.enqueue(batch('acme', events('a', 1)));
  await settled();
  signals.enqueue(batch('acme', events('b', 1)));
  let drained = false;
  const draining = signals.drain().then(() => (drained = true));
  calls[0].finish();
  await settled();
  await settled();
  expect(drained).toBe(false);
  calls[1].finish();
  await draining;
  expect(calls).toHaveLength(2);
});
