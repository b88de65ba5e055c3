import { NativeConnection, type Worker } from '@temporalio/worker';
import { createWorkers, runsWorkflows, workerOptions } from '../workers/options';
import { Harness, startHarness } from './support/harness';
import { testServers } from './support/servers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.stopWorker();
});
afterAll(() => h?.close());

/** Samples every worker's state at each turn of the event loop until all have stopped. */
async function watchUntilStopped(workers: Worker[]): Promise<{ leftRunning: number[]; stopped: number[] }> {
  const leftRunning = workers.map(() => Infinity);
  const stopped = workers.map(() => Infinity);
  for (let tick = 0; stopped.some((t) => t === Infinity); tick++) {
    workers.forEach((w, i) => {
      const state = w.getState();
      if (state !== 'RUNNING' && leftRunning[i] === Infinity) leftRunning[i] = tick;
      if (state === 'STOPPED' && stopped[i] === Infinity) stopped[i] = tick;
    });
    await new Promise((r) => setImmediate(r));
  }
  return { leftRunning, stopped };
}

test('a worker that stops takes activities until its workflows have stopped, so a last workflow task cannot strand the activity it schedules', async () => {
  const connection = await NativeConnection.connect({ address: h.config.TEMPORAL_ADDRESS });
  const options = workerOptions(h.config, connection, h.client, { workflowBundle: { codePath: testServers().bundlePath } });
  const workers = await createWorkers(options);
  const running = workers.run();
  try {
    const withWorkflows = options.map(runsWorkflows);
    // Every queue that has workflows also has a worker for its activity tasks alone.
    const activityQueues = options.filter((_o, i) => !withWorkflows[i]).map((o) => o.taskQueue);
    for (const o of options.filter((_o, i) => withWorkflows[i])) {
      expect(o.enableNonLocalActivities).toBe(false);
      expect(activityQueues).toContain(o.taskQueue);
    }
    workers.shutdown();
    const { leftRunning, stopped } = await watchUntilStopped(workers.all);
    const workflowsStopped = Math.max(...stopped.filter((_t, i) => withWorkflows[i]));
    const activitiesAsked = Math.min(...leftRunning.filter((_t, i) => !withWorkflows[i]));
    expect(activitiesAsked).toBeGreaterThanOrEqual(workflowsStopped);
  } finally {
    await running;
    await connection.close();
  }
});
