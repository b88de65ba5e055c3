import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allSearchAttributes } from '../../domain/search-attributes';
import { startEmbedded } from '../../scripts/stack/embedded';
import { freePort } from '../../scripts/stack/ports';
import { ensureTools } from '../../scripts/tools/ensure';
import { workflowBundleOptions } from '../../workers/bundle';
import { TEST_ENV, TEST_NAMESPACES } from './servers';

/**
 * Starts, once per run, a real Temporal dev server (through @temporalio/testing,
 * on the binary this project builds), FerretDB on embedded PostgreSQL and a
 * MailDev SMTP server, each on free loopback ports with throw-away data, and
 * bundles the workflow code once.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'b2b-test-'));
  // PostgreSQL runs as its own user when we are root: it must be able to enter the folder.
  chmodSync(dir, 0o755);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const tools = await ensureTools(log);
  const started = await Promise.allSettled([
    startEmbedded({
      dataDir: dir,
      database: true,
      temporal: false,
      ports: { postgres: await freePort(), mongo: await freePort(), temporal: 0, temporalUi: 0 },
      mail: { smtpPort: await freePort(), uiPort: await freePort() },
      log,
    }),
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: tools.temporal },
        ip: '127.0.0.1',
        log: { format: 'pretty', level: 'error' },
        searchAttributes: allSearchAttributes,
        extraArgs: ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal', ...TEST_NAMESPACES.flatMap((ns) => ['--namespace', ns])],
      },
    }),
    bundleWorkflowCode({ ...workflowBundleOptions, logger: quietLogger }),
  ]);
  const [embeddedStart, envStart, bundleStart] = started;
  if (embeddedStart.status === 'rejected' || envStart.status === 'rejected' || bundleStart.status === 'rejected') {
    // What did start is stopped again: a failed set-up leaves no server running behind it.
    if (envStart.status === 'fulfilled') await envStart.value.teardown();
    if (embeddedStart.status === 'fulfilled') await embeddedStart.value.stop();
    throw started.map((r) => (r.status === 'rejected' ? r.reason : undefined)).find(Boolean);
  }
  const [embedded, env, bundle] = [embeddedStart.value, envStart.value, bundleStart.value];
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env[TEST_ENV.mongoBase] = embedded.mongoUrl!.replace(/\/b2b$/, '');
  process.env[TEST_ENV.postgresUrl] = embedded.postgresUrl!;
  process.env[TEST_ENV.smtpUrl] = embedded.smtpUrl!;
  process.env[TEST_ENV.mailApiUrl] = `${embedded.mailUiUrl!}/api`;
  process.env[TEST_ENV.temporalAddress] = env.address;
  process.env[TEST_ENV.bundlePath] = bundlePath;
  const namespaceDir = path.join(dir, 'namespace-claims');
  mkdirSync(namespaceDir);
  process.env[TEST_ENV.namespaceDir] = namespaceDir;
  (globalThis as Record<string, unknown>).__b2bTeardown = async () => {
    await env.teardown();
    await embedded.stop();
  };
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
