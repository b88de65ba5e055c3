import { MongoClient } from 'mongodb';
import { exitAsError, Managed, startChild } from './child';
import { waitForPort } from './ports';

export interface FerretHandle {
  /** Connection string the app uses (database `b2b`). */
  mongoUrl: string;
  stop(): Promise<void>;
}

/** FerretDB (MongoDB wire protocol) on the embedded PostgreSQL, loopback only. */
export async function startFerretDb(opts: { binary: string; port: number; postgresUrl: string; logDir: string }): Promise<FerretHandle> {
  const child: Managed = startChild(
    'ferretdb',
    opts.binary,
    [
      '-listen', `127.0.0.1:${opts.port}`, '-handler', 'postgresql', '-postgresql-url', opts.postgresUrl, '-log-level', 'error',
      // Go's profiles of the database's own side, for benchmarks (see docs/performance.md).
      ...(process.env.FERRETDB_PPROF ? ['-pprof', process.env.FERRETDB_PPROF] : []),
    ],
    { logDir: opts.logDir },
  );
  try {
    await Promise.race([waitForPort(opts.port, 'FerretDB'), exitAsError(child)]);
    const mongoUrl = `mongodb://127.0.0.1:${opts.port}/b2b`;
    await ping(mongoUrl);
    return { mongoUrl, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

async function ping(url: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 20000 });
  try {
    await client.db().command({ ping: 1 });
  } finally {
    await client.close();
  }
}
