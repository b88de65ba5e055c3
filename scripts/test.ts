// `npm test`: strict type check, then jest (whose global set-up builds the tools
// if missing and starts real servers). Extra arguments go to jest.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureChromium } from './tools/chromium';
import { repoRoot } from './tools/tools';

function run(script: string, args: string[]): number {
  const res = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules', script), ...args], { cwd: repoRoot, stdio: 'inherit' });
  return res.status ?? 1;
}

console.log('[test] type-checking (tsc --noEmit, strict)');
const tsc = run('typescript/bin/tsc', ['--noEmit']);
if (tsc !== 0) process.exit(tsc);
// The website-tag test drives a real browser: a fresh machine gets Debian's Chromium here, before any test's time starts.
ensureChromium();
process.exit(run('jest/bin/jest.js', process.argv.slice(2)));
