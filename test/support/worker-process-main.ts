// The child side of test/support/worker-process.ts: one worker, configured by
// the environment the parent passes, until SIGTERM (drains) or SIGKILL.
// With HOLD_ACTIVITY set, that activity type is taken and never run.
import { Client, Connection } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ActivityInboundCallsInterceptor, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../lib/config';
import { closeMailers } from '../../lib/mailer';
import { connectMongo, disconnectMongo } from '../../lib/mongo';
import { createWorkers, drainOnSignals, workerOptions } from '../../workers/options';
import { testServers } from './servers';
import { HOLD_ACTIVITY, HOLDING, WORKER_READY } from './worker-process';

/** Never starts this activity: says so on stdout and waits, as a worker stuck or about to die would, until the process is killed. */
function holding(activityType: string): ActivityInboundCallsInterceptor {
  return {
    execute: (input, next) => {
      if (Context.current().info.activityType !== activityType) return next(input);
      process.stdout.write(`${HOLDING} ${activityType}\n`);
      return new Promise(() => undefined);
    },
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const config = loadConfig();
  await connectMongo(config.MONGO_URL);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const options = workerOptions(config, nativeConnection, client, { workflowBundle: { codePath: testServers().bundlePath } });
  const held = process.env[HOLD_ACTIVITY];
  const workers = await createWorkers(held ? options.map((o) => ({ ...o, interceptors: { activity: [() => ({ inbound: holding(held) })] } })) : options);
  // SIGTERM drains: workflows first, then activities, finishing what is in flight.
  drainOnSignals(workers);
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
