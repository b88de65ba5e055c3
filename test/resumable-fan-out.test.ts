import { eachResumable } from '../lib/each-statement';
import { eventually } from './support/harness';

const entities = Array.from({ length: 40 }, (_, i) => `account:${String(i).padStart(2, '0')}`);
const byId = (id: string) => id;

test('asking everyone to re-score, resumed after a crash, asks again every entity not yet done, also one still in flight at the crash', async () => {
  let releaseSlow!: () => void;
  const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
  const done: string[] = [];
  const checkpoints: string[] = [];
  const first = eachResumable(
    entities,
    byId,
    undefined,
    async (id) => {
      if (id === 'account:05') await slow;
      done.push(id);
    },
    (resumeFrom) => checkpoints.push(resumeFrom),
  );
  await eventually(async () => (done.length === entities.length - 1 ? true : undefined), { what: 'all but the slow one done' });
  // The worker dies here: a retry starts from the last checkpoint, and reads the entities again (in another order).
  const resumeFrom = checkpoints.at(-1);
  expect(resumeFrom).toBe('account:05');
  const asked: string[] = [];
  await eachResumable([...entities].reverse(), byId, resumeFrom, async (id) => void asked.push(id), () => {});
  expect(asked.sort()).toEqual(entities.slice(5));
  releaseSlow();
  await first;
});

test('a retry of a fan-out checkpointed by an older worker (a count, not a key) starts again from the first entity', async () => {
  const asked: string[] = [];
  await eachResumable(entities, byId, 17, async (id) => void asked.push(id), () => {});
  expect(asked.sort()).toEqual(entities);
});
