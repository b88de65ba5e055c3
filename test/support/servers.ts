import { closeSync, openSync } from 'node:fs';
import path from 'node:path';

// Where the jest global set-up put the servers, handed to test files by env.
export const TEST_ENV = {
  mongoBase: 'B2B_TEST_MONGO_BASE',
  temporalAddress: 'B2B_TEST_TEMPORAL_ADDRESS',
  bundlePath: 'B2B_TEST_WORKFLOW_BUNDLE',
  namespaceDir: 'B2B_TEST_NAMESPACE_DIR',
  postgresUrl: 'B2B_TEST_POSTGRES_URL',
  smtpUrl: 'B2B_TEST_SMTP_URL',
  mailApiUrl: 'B2B_TEST_MAIL_API_URL',
} as const;

/**
 * Workflow ids such as `account:<key>` are unique per namespace, so each test file
 * gets a namespace of its own: the dev server registers these at start (with the
 * search attributes), and a file claims the first one no other file has taken.
 */
export const TEST_NAMESPACES = Array.from({ length: 40 }, (_, i) => `test-${i + 1}`);

export function claimTestNamespace(): string {
  const dir = testServers().namespaceDir;
  for (const namespace of TEST_NAMESPACES) {
    try {
      closeSync(openSync(path.join(dir, namespace), 'wx'));
      return namespace;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`all ${TEST_NAMESPACES.length} test namespaces are taken: raise TEST_NAMESPACES in test/support/servers.ts`);
}

export function testServers() {
  const get = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run tests through jest (npm test), whose global set-up starts the servers`);
    return v;
  };
  return {
    mongoBase: get(TEST_ENV.mongoBase),
    temporalAddress: get(TEST_ENV.temporalAddress),
    bundlePath: get(TEST_ENV.bundlePath),
    namespaceDir: get(TEST_ENV.namespaceDir),
    postgresUrl: get(TEST_ENV.postgresUrl),
    /** MailDev's SMTP server: every email the tests send is caught there. */
    smtpUrl: get(TEST_ENV.smtpUrl),
    /** MailDev's REST API (read through test/support/maildev.ts). */
    mailApiUrl: get(TEST_ENV.mailApiUrl),
  };
}
