import { MockActivityEnvironment } from '@temporalio/testing';
import { LIVENESS_BEAT_MS, whileAlive } from '../lib/liveness';

test('work that outlasts a heartbeat period keeps telling Temporal its worker is alive, once each period', async () => {
  const env = new MockActivityEnvironment();
  const beats: number[] = [];
  const started = Date.now();
  env.on('heartbeat', () => beats.push(Date.now() - started));
  const result = await env.run(() => whileAlive(() => new Promise((r) => setTimeout(() => r('done'), LIVENESS_BEAT_MS * 2 + 500))));
  expect(result).toBe('done');
  expect(beats.length).toBe(2);
  expect(beats[0]).toBeGreaterThanOrEqual(LIVENESS_BEAT_MS - 50);
  // No beat after the work ended.
  await new Promise((r) => setTimeout(r, LIVENESS_BEAT_MS + 500));
  expect(beats.length).toBe(2);
}, 30_000);

test('work shorter than a heartbeat period sends no heartbeat at all', async () => {
  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => (beats += 1));
  expect(await env.run(() => whileAlive(async () => 'done'))).toBe('done');
  await new Promise((r) => setTimeout(r, LIVENESS_BEAT_MS + 500));
  expect(beats).toBe(0);
}, 30_000);
