import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { logger } from '../lib/logger';
import { closeMailers } from '../lib/mailer';
import { connectMongo, disconnectMongo } from '../lib/mongo';
import { connectTemporalClient } from '../lib/temporal';
import { bundleInChild } from './bundle';
import { limitHeapGrowth } from './heap';
import { createWorkers, drainOnSignals, workerOptions } from './options';
import { ensureDeliverySweeperSchedule, ensureSegmentRefreshSchedule, ensureSweeperSchedule } from './schedules';

async function main(): Promise<void> {
  // Signals stop the workers in order (drainOnSignals), not all at once as the runtime's own handlers would.
  Runtime.install({ shutdownSignals: [] });
  const config = loadConfig();
  // Before the workflow threads start: they take the flag as they are created.
  limitHeapGrowth(config.WORKER_HEAP_GROWING_PERCENT);
  await connectMongo(config.MONGO_URL);
  const client = await connectTemporalClient(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  // Bundled once for the workers that run workflows (the main queue and the dispatchers').
  const workflowBundle = await bundleInChild();
  const workers = await createWorkers(workerOptions(config, connection, client, { workflowBundle }));
  await ensureSweeperSchedule(client, {
    taskQueue: config.TASK_QUEUE,
    everySeconds: config.SWEEPER_EVERY_SECONDS,
    graceSeconds: config.SWEEPER_GRACE_SECONDS,
  });
  await ensureDeliverySweeperSchedule(client, { taskQueue: config.TASK_QUEUE, everySeconds: config.SWEEPER_EVERY_SECONDS, graceSeconds: config.SWEEPER_GRACE_SECONDS });
  await ensureSegmentRefreshSchedule(client, { taskQueue: config.TASK_QUEUE, everySeconds: config.SEGMENT_REFRESH_EVERY_SECONDS });
  logger.info({ taskQueue: config.TASK_QUEUE }, 'worker running');
  drainOnSignals(workers);
  await workers.run();
  // Idle pooled SMTP connections would keep the process up for minutes.
  await closeMailers();
  await connection.close();
  await client.connection.close();
  await disconnectMongo();
  logger.info('worker stopped');
}

main().catch((err) => {
  logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
