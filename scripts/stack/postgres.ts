import path from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '../tools/tools';
import { exitAsError, startChild } from './child';
import { assertPostgresCanEnter, postgresBinDir } from './postgres-binaries';
import { installEqualityIndexes } from './postgres-indexes';
import { waitForPort } from './ports';

export interface PostgresHandle {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'ferretdb';

/** PostgreSQL with its data under dataDir, loopback only, in its own process (postgres-server.ts). */
export async function startPostgres(opts: { dataDir: string; port: number; logDir: string }): Promise<PostgresHandle> {
  const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const server = path.join(__dirname, 'postgres-server.ts');
  assertPostgresCanEnter(opts.dataDir, 'its data', 'set DATA_DIR (npm start) or TMPDIR (npm test) to a folder it can enter');
  const child = startChild('postgres', process.execPath, [tsx, server, postgresBinDir(), path.join(opts.dataDir, 'postgres'), String(opts.port)], { logDir: opts.logDir });
  try {
    await Promise.race([waitForPort(opts.port, 'PostgreSQL', 60000), exitAsError(child)]);
    await Promise.race([ensureDatabase(opts.port), exitAsError(child)]);
    await Promise.race([withClient(opts.port, DATABASE, installEqualityIndexes), exitAsError(child)]);
    return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** The server accepts connections a moment before it accepts logins: retry briefly. */
async function ensureDatabase(port: number): Promise<void> {
  const deadline = Date.now() + 30000;
  for (;;) {
    const client = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
    try {
      await client.connect();
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function withClient(port: number, database: string, use: (client: Client) => Promise<void>): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database });
  await client.connect();
  try {
    await use(client);
  } finally {
    await client.end();
  }
}
