import { MockActivityEnvironment } from '@temporalio/testing';
import { LIVENESS_BEAT_MS, whileAlive } from '../lib/liveness';

test('work that outlasts a heartbeat period keeps telling Temporal its worker is alive, at once and then on a timer', async () => {
  const env = new MockActivityEnvironment();
  const beats: number[] = [];
  const started = Date.now();
  env.on('heartbeat', () => beats.push(Date.now() - started));
  const result = await env.run(() => whileAlive(() => new Promise((r) => setTimeout(() => r('done'), LIVENESS_BEAT_MS * 2 + 500))));
  expect(result).toBe('done');
  expect(beats.length).toBe(3);
  expect(beats[0]).toBeLessThan(100);
  // No beat after the work ended.
  await new Promise((r) => setTimeout(r, LIVENESS_BEAT_MS + 500));
  expect(beats.length).toBe(3);
}, 30_000);
