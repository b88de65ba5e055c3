import path from 'node:path';
import { ensureAdminKey } from './auth';
import { createApp } from './app';
import { loadConfig } from '../lib/config';
import { deliveryTargetFor } from '../lib/delivery-target';
import { logger } from '../lib/logger';
import { connectMongo, disconnectMongo } from '../lib/mongo';
import { connectTemporalClient } from '../lib/temporal';

async function main(): Promise<void> {
  const config = loadConfig();
  await connectMongo(config.MONGO_URL);
  await ensureAdminKey(config.ADMIN_API_KEY);
  const temporal = await connectTemporalClient(config);
  const delivery = deliveryTargetFor(config, temporal);
  const app = createApp({
    temporal,
    logger,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    emailTokenSecret: config.EMAIL_TOKEN_SECRET,
    delivery,
    audienceCheckpointDir: path.join(config.DATA_DIR, 'audience'),
  });
  const server = app.listen(config.PORT, config.HOST, () => logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'api listening'));
  server.on('error', (err) => {
    logger.fatal({ err }, 'api could not listen');
    process.exit(1);
  });
  const stop = () => {
    server.close(async () => {
      // Accepted batches not signalled yet: sent now rather than by the sweeper a minute later.
      await delivery.signals.drain();
      await temporal.connection.close();
      await disconnectMongo();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
