// Headless Chromium for the website-tag test (analytics.js in a real browser).
// Playwright's own browser download cannot be reached here; Debian's
// `chromium` package can, and playwright-core drives it by executablePath.
// On a machine without it, `npm test` installs it with apt-get (as root,
// as CI runs), once; CHROMIUM_PATH names another binary.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  const named = process.env.CHROMIUM_PATH;
  if (named) return existsSync(named) ? named : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

function aptGet(args: string[], log: (line: string) => void): boolean {
  const res = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (res.status !== 0) log(`[tools] apt-get ${args.join(' ')} failed: ${res.error?.message ?? res.stderr?.toString().trim().split('\n').pop()}`);
  return res.status === 0;
}

/** The Chromium binary, installed from Debian's packages when missing (root only); undefined when it cannot be had. */
export function ensureChromium(log: (line: string) => void = console.log): string | undefined {
  const found = findChromium();
  if (found || process.env.CHROMIUM_PATH) return found;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) {
    log('[tools] no Chromium (install Debian\'s chromium package, or set CHROMIUM_PATH): the browser test will fail');
    return undefined;
  }
  log('[tools] installing Chromium from Debian\'s packages (apt-get install chromium, once; about a minute)');
  if (!aptGet(['install', '-y', '--no-install-recommends', 'chromium'], log)) {
    // A fresh machine's package lists may be missing or stale.
    if (aptGet(['update'], log)) aptGet(['install', '-y', '--no-install-recommends', 'chromium'], log);
  }
  return findChromium();
}

if (require.main === module) {
  const path = ensureChromium();
  console.log(path ? `[tools] chromium: ${path}` : '[tools] chromium: not available');
  process.exit(path ? 0 : 1);
}
