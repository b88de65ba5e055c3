// `npm start`: the embedded stack (unless MONGO_URL / TEMPORAL_ADDRESS / SMTP_URL
// point elsewhere), then the worker and the API; Ctrl-C stops everything in order.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { bannerLines } from './stack/banner';
import { startChild, Managed, exitAsError } from './stack/child';
import { startEmbedded } from './stack/embedded';
import { assertPortFree } from './stack/ports';
import { repoRoot } from './tools/tools';

const log = (line: string) => console.log(line);
const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);

async function waitReady(url: string, child: Managed): Promise<void> {
  const deadline = Date.now() + 120000;
  const poll = async () => {
    for (;;) {
      try {
        const res = await fetch(url);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${url} not ready after 120s; see ${child.logFile}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  await Promise.race([poll(), exitAsError(child)]);
}

async function main(): Promise<void> {
  const dataDir = path.resolve(env.DATA_DIR ?? path.join(repoRoot, '.data'));
  mkdirSync(dataDir, { recursive: true });
  const embedded = await startEmbedded({
    dataDir,
    database: !env.MONGO_URL,
    temporal: !env.TEMPORAL_ADDRESS,
    ports: {
      postgres: num('EMBEDDED_PG_PORT', 5433),
      mongo: num('MONGO_PORT', 27017),
      temporal: num('TEMPORAL_PORT', 7233),
      temporalUi: num('TEMPORAL_UI_PORT', 8233),
    },
    mail: env.SMTP_URL ? undefined : { smtpPort: num('MAIL_SMTP_PORT', 1025), uiPort: num('MAIL_UI_PORT', 1080) },
    log,
  });
  const childEnv = {
    ...env,
    DATA_DIR: dataDir,
    MONGO_URL: env.MONGO_URL ?? embedded.mongoUrl,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? embedded.temporalAddress,
    SMTP_URL: env.SMTP_URL ?? embedded.smtpUrl,
  };
  const config = loadConfig(childEnv);
  const children: Managed[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('\n[start] stopping...');
    for (const c of children.reverse()) await c.stop();
    await embedded.stop();
    log('[start] stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    await assertPortFree(config.PORT, 'the API', 'PORT', config.HOST);
    const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const logDir = path.join(dataDir, 'logs');
    const worker = startChild('worker', process.execPath, [tsx, 'workers/main.ts'], { logDir, cwd: repoRoot, env: { ...childEnv, B2B_SERVICE: 'worker' } });
    children.push(worker);
    const api = startChild('api', process.execPath, [tsx, 'api/main.ts'], { logDir, cwd: repoRoot, env: { ...childEnv, B2B_SERVICE: 'api' } });
    children.push(api);
    const apiUrl = `http://${config.HOST}:${config.PORT}`;
    await waitReady(`${apiUrl}/readyz`, api);
    for (const c of children) exitAsError(c).catch((err: Error) => {
      if (!stopping) {
        console.error(`[start] ${err.message}`);
        void shutdown(1);
      }
    });
    log(
      bannerLines({
        apiUrl,
        temporalUiUrl: embedded.temporalUiUrl,
        temporalAddress: config.TEMPORAL_ADDRESS,
        mongoUrl: config.MONGO_URL,
        embeddedMongo: Boolean(embedded.mongoUrl),
        mailUiUrl: embedded.mailUiUrl,
        smtpUrl: config.SMTP_URL,
        adminKey: config.ADMIN_API_KEY,
        logDir,
      }).join('\n'),
    );
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    await shutdown(1);
  }
}

main().catch((err: Error) => {
  console.error(`[start] ${err.message}`);
  process.exit(1);
});
