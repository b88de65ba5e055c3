import type { EntityRef } from '../domain/routing';
import { RefreshSignals } from '../lib/refresh-signals';
import type { RefreshRequest } from '../workflows/account-messages';

interface Sent {
  entity: EntityRef;
  request: RefreshRequest;
  finish: (err?: Error) => void;
}

function recorder() {
  const sent: Sent[] = [];
  const refreshes = new RefreshSignals(
    (entity, request) => new Promise<void>((resolve, reject) => sent.push({ entity, request, finish: (err) => (err ? reject(err) : resolve()) })),
  );
  return { sent, refreshes };
}

const acme: EntityRef = { kind: 'account', accountKey: 'acme' };
const globex: EntityRef = { kind: 'account', accountKey: 'globex' };
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('five people of one account saved at once cost two re-score signals, and each save waits for a signal sent after it', async () => {
  const { sent, refreshes } = recorder();
  const done: number[] = [];
  const ask = (i: number, reason: string) => refreshes.request('account:acme', acme, { reason, atLeast: {} }).then(() => void done.push(i));
  const first = ask(0, 'person updated');
  const rest = [ask(1, 'person updated'), ask(2, 'person left'), ask(3, 'person updated'), ask(4, 'person updated')];
  expect(sent).toHaveLength(1);
  sent[0].finish();
  await first;
  expect(done).toEqual([0]);
  await tick();
  // The four that asked while the first signal was on its way share the second, with both reasons.
  expect(sent).toHaveLength(2);
  expect(sent[1].request.reason).toBe('person updated; person left');
  sent[1].finish();
  await Promise.all(rest);
  expect(done.sort()).toEqual([0, 1, 2, 3, 4]);
  expect(sent).toHaveLength(2);
});

test('a re-score asked for another account is sent at once, not behind the first account', async () => {
  const { sent, refreshes } = recorder();
  void refreshes.request('account:acme', acme, { reason: 'person updated', atLeast: {} });
  void refreshes.request('account:globex', globex, { reason: 'person updated', atLeast: {} });
  expect(sent.map((s) => s.entity)).toEqual([acme, globex]);
});

test('requests that share a signal ask for the newest scoring model any of them needs', async () => {
  const { sent, refreshes } = recorder();
  const first = refreshes.request('account:acme', acme, { reason: 'person updated', atLeast: {} });
  const second = refreshes.request('account:acme', acme, { reason: 'model 3', atLeast: { model: 3 } });
  const third = refreshes.request('account:acme', acme, { reason: 'model 2', atLeast: { model: 2, segments: 5 } });
  sent[0].finish();
  await first;
  await tick();
  expect(sent[1].request.atLeast).toEqual({ model: 3, segments: 5 });
  sent[1].finish();
  await Promise.all([second, third]);
});

test('a signal that fails fails every save that shared it, and the next save sends afresh', async () => {
  const { sent, refreshes } = recorder();
  const first = refreshes.request('account:acme', acme, { reason: 'person updated', atLeast: {} });
  sent[0].finish(new Error('Temporal unavailable'));
  await expect(first).rejects.toThrow('Temporal unavailable');
  const again = refreshes.request('account:acme', acme, { reason: 'person updated', atLeast: {} });
  expect(sent).toHaveLength(2);
  sent[1].finish();
  await expect(again).resolves.toBeUndefined();
});
