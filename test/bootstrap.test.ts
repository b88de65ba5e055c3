// `npm start`, `npm test` and the other entry points go through
// scripts/bootstrap.js, which installs the npm packages of a fresh clone. It
// must install exactly the lockfile (`npm ci`), so that a clone stays clean:
// `npm install` would rewrite package-lock.json (platform entries).
// A stand-in `npm` on PATH records how it was called, in a copy of the repository's
// entry files without node_modules, as a fresh clone is.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
let clone: string;
let calls: string;
beforeEach(() => {
  clone = mkdtempSync(path.join(os.tmpdir(), 'b2b-bootstrap-'));
  mkdirSync(path.join(clone, 'scripts'));
  mkdirSync(path.join(clone, 'bin'));
  for (const file of ['package.json', 'package-lock.json', 'scripts/bootstrap.js']) copyFileSync(path.join(root, file), path.join(clone, file));
  calls = path.join(clone, 'npm-calls');
  // Records its arguments and fails, so bootstrap stops where it would hand over.
  writeFileSync(path.join(clone, 'bin', 'npm'), `#!/bin/sh\necho "$@" >> "${calls}"\nexit 3\n`);
  chmodSync(path.join(clone, 'bin', 'npm'), 0o755);
});
afterEach(() => rmSync(clone, { recursive: true, force: true }));

const bootstrap = (command: string) =>
  spawnSync(process.execPath, [path.join(clone, 'scripts', 'bootstrap.js'), command], {
    cwd: clone,
    env: { ...process.env, PATH: `${path.join(clone, 'bin')}${path.delimiter}${process.env.PATH}` },
    encoding: 'utf8',
  });

test('a fresh clone installs its packages with npm ci, which leaves package-lock.json as committed', () => {
  const lockfile = readFileSync(path.join(clone, 'package-lock.json'));
  const res = bootstrap('start');
  expect(res.status).toBe(3);
  const recorded = readFileSync(calls, 'utf8').trim().split('\n');
  expect(recorded).toHaveLength(1);
  expect(recorded[0].split(' ')[0]).toBe('ci');
  expect(readFileSync(path.join(clone, 'package-lock.json')).equals(lockfile)).toBe(true);
});

test('packages installed after the lockfile last changed are not installed again', () => {
  mkdirSync(path.join(clone, 'node_modules'));
  const marker = path.join(clone, 'node_modules', '.package-lock.json');
  writeFileSync(marker, '{}');
  const later = new Date(Date.now() + 60_000);
  utimesSync(marker, later, later);
  const res = bootstrap('no-such-command');
  expect(res.status).toBe(2);
  expect(res.stderr).toContain('usage: bootstrap.js');
  expect(existsSync(calls)).toBe(false);
});
