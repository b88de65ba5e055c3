import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../tools/tools';
import { exitAsError, startChild } from './child';
import { waitForPort } from './ports';

export interface MailDevHandle {
  /** Where the engine sends (SMTP_URL). */
  smtpUrl: string;
  /** The web UI, and its REST API under /api (what the tests read messages back through). */
  uiUrl: string;
  stop(): Promise<void>;
}

/**
 * MailDev: a real SMTP server that keeps every message it receives and shows
 * them in a web UI, on loopback only, relaying nothing. It runs as a child
 * process because the package is ES modules only, which the tests' CommonJS
 * runtime cannot load in-process.
 */
export async function startMailDev(opts: { smtpPort: number; uiPort: number; dataDir: string; logDir: string }): Promise<MailDevHandle> {
  // Without a folder of its own MailDev writes messages to a temp folder shared by every instance.
  const mailDir = path.join(opts.dataDir, 'mail');
  mkdirSync(mailDir, { recursive: true });
  const args = [
    path.join(repoRoot, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js'),
    '--ip', '127.0.0.1',
    '--smtp', String(opts.smtpPort),
    '--web-ip', '127.0.0.1',
    '--web', String(opts.uiPort),
    '--mail-directory', mailDir,
    // Its default output names the sender and recipient of every message: no personal data in logs.
    '--silent',
  ];
  // The flags above are its whole configuration: MAILDEV_* variables (web auth, relay) would change it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MAILDEV_')));
  // cwd: it also reads a configuration file from its working folder and the folders above.
  const child = startChild('maildev', process.execPath, args, { logDir: opts.logDir, env, cwd: mailDir });
  const uiUrl = `http://127.0.0.1:${opts.uiPort}`;
  try {
    await Promise.race([waitForPort(opts.smtpPort, 'MailDev (SMTP)'), exitAsError(child)]);
    await Promise.race([waitForHealthy(`${uiUrl}/api/healthz`), exitAsError(child)]);
    return { smtpUrl: `smtp://127.0.0.1:${opts.smtpPort}`, uiUrl, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

async function waitForHealthy(url: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`MailDev did not answer ${url} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
