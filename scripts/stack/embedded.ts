import path from 'node:path';
import { ensureTools } from '../tools/ensure';
import { startFerretDb } from './ferretdb';
import { startMailDev } from './maildev';
import { assertPortFree } from './ports';
import { startPostgres } from './postgres';
import { startTemporal } from './temporal';

export interface EmbeddedOptions {
  dataDir: string;
  /** Start the database (PostgreSQL + FerretDB); false when MONGO_URL points elsewhere. */
  database: boolean;
  /** Start the Temporal dev server; false when TEMPORAL_ADDRESS points elsewhere. */
  temporal: boolean;
  ports: { postgres: number; mongo: number; temporal: number; temporalUi: number };
  /** Start MailDev on these ports; absent when SMTP_URL points at a relay of your own. */
  mail?: { smtpPort: number; uiPort: number };
  log: (line: string) => void;
}

export interface EmbeddedStack {
  mongoUrl?: string;
  /** The PostgreSQL under FerretDB (for tests and diagnostics; the engine speaks only the Mongo protocol). */
  postgresUrl?: string;
  temporalAddress?: string;
  temporalUiUrl?: string;
  smtpUrl?: string;
  /** MailDev's web UI, its REST API under /api. */
  mailUiUrl?: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded servers the configuration asks for, each on loopback with
 * its state under dataDir, and stops them in reverse order.
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedStack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: Error) => opts.log(`[stack] stop failed: ${err.message}`));
  };
  const logDir = path.join(opts.dataDir, 'logs');
  const stack: EmbeddedStack = { stop };
  try {
    if (opts.database) await assertPortFree(opts.ports.postgres, 'the embedded PostgreSQL', 'EMBEDDED_PG_PORT');
    if (opts.database) await assertPortFree(opts.ports.mongo, 'FerretDB (MongoDB wire protocol)', 'MONGO_PORT');
    if (opts.temporal) await assertPortFree(opts.ports.temporal, 'Temporal', 'TEMPORAL_PORT');
    if (opts.temporal) await assertPortFree(opts.ports.temporalUi, 'the Temporal UI', 'TEMPORAL_UI_PORT');
    // MailDev does not exit when its SMTP port is taken: it would wait forever, so check first.
    if (opts.mail) await assertPortFree(opts.mail.smtpPort, 'MailDev (SMTP)', 'MAIL_SMTP_PORT');
    if (opts.mail) await assertPortFree(opts.mail.uiPort, 'the MailDev UI', 'MAIL_UI_PORT');
    const tools = await ensureTools(opts.log);
    // The servers start side by side; any failing stops them all.
    const temporal = async () => {
      if (!opts.temporal) return;
      const t = await startTemporal({ binary: tools.temporal, dataDir: opts.dataDir, port: opts.ports.temporal, uiPort: opts.ports.temporalUi, logDir });
      stops.push(t.stop);
      stack.temporalAddress = t.address;
      stack.temporalUiUrl = t.uiUrl;
    };
    const database = async () => {
      if (!opts.database) return;
      const pg = await startPostgres({ dataDir: opts.dataDir, port: opts.ports.postgres, logDir });
      stops.push(pg.stop);
      stack.postgresUrl = pg.url;
      const ferret = await startFerretDb({ binary: tools.ferretdb, port: opts.ports.mongo, postgresUrl: pg.url, logDir });
      stops.push(ferret.stop);
      stack.mongoUrl = ferret.mongoUrl;
    };
    const mail = async () => {
      if (!opts.mail) return;
      const m = await startMailDev({ ...opts.mail, dataDir: opts.dataDir, logDir });
      stops.push(m.stop);
      stack.smtpUrl = m.smtpUrl;
      stack.mailUiUrl = m.uiUrl;
    };
    const failed = (await Promise.allSettled([temporal(), database(), mail()])).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
