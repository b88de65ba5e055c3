// The child side of test/support/worker-process.ts: one worker, configured by
// the environment the parent passes, until SIGTERM (drains) or SIGKILL.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../lib/config';
import { closeMailers } from '../../lib/mailer';
import { connectMongo, disconnectMongo } from '../../lib/mongo';
import { createWorkers, workerOptions } from '../../workers/options';
import { testServers } from './servers';
import { WORKER_READY } from './worker-process';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = loadConfig();
  await connectMongo(config.MONGO_URL);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workers = await createWorkers(workerOptions(config, nativeConnection, client, { workflowBundle: { codePath: testServers().bundlePath } }));
  // Worker.run shuts down on SIGTERM, finishing what is in flight.
  const run = workers.run();
  process.stdout.write(`${WORKER_READY}\n`);
  await run;
  await closeMailers();
  await nativeConnection.close();
  await connection.close();
  await disconnectMongo();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
