#!/usr/bin/env node
// Entry point of `npm start`, `npm test`, `npm run bench` and `npm run contract` on a fresh clone:
// plain Node (no dependencies yet), it installs npm packages when they are
// missing or older than the lockfile, then hands over to the TypeScript scripts.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const [command, ...rest] = process.argv.slice(2);

function run(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

function depsInstalled() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(marker)) return false;
  return fs.statSync(marker).mtimeMs >= fs.statSync(path.join(root, 'package-lock.json')).mtimeMs;
}

if (!depsInstalled()) {
  console.log('[setup] installing npm packages (first run only)...');
  // `npm ci` installs exactly the lockfile and never writes it, so a fresh clone
  // stays clean (`npm install` would add entries and leave a modified lockfile).
  // It fails when package.json and the lockfile disagree: add packages with
  // `npm install --save-exact <name>`, which updates both.
  const status = run('npm', ['ci', '--no-audit', '--no-fund']);
  if (status !== 0) process.exit(status);
}

const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const scripts = { start: 'scripts/start.ts', test: 'scripts/test.ts', bench: 'bench/run.ts', tools: 'scripts/tools/ensure.ts', import: 'scripts/import-cli.ts', contract: 'scripts/contract-check.ts' };
const script = scripts[command];
if (!script) {
  console.error(`usage: bootstrap.js ${Object.keys(scripts).join('|')} [args]`);
  process.exit(2);
}
// The child owns shutdown: Ctrl-C reaches it through the process group and
// SIGTERM is forwarded, so the parent only waits for it to finish cleaning up.
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, [tsx, script, ...rest], { cwd: root, stdio: 'inherit' });
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
