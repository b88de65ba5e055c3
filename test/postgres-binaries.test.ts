import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../scripts/stack/postgres';
import { closedFolders, runsAsPostgresUser } from '../scripts/stack/postgres-binaries';

// PostgreSQL runs as its own user when we are root: it reaches its binaries and data
// only through folders that others may enter (o+x), whatever their read bits.
const private0700 = mkdtempSync(path.join(os.tmpdir(), 'b2b-closed-'));
afterAll(() => rmSync(private0700, { recursive: true, force: true }));

test('a clone inside a mktemp folder (0700) is closed at that folder, not at the open folders below it', () => {
  const bin = path.join(private0700, 'repo', 'node_modules', 'pkg', 'bin');
  mkdirSync(bin, { recursive: true, mode: 0o755 });
  chmodSync(private0700, 0o700);
  expect(closedFolders(bin)).toEqual([private0700]);
});

test('a folder others may enter but not list is open', () => {
  chmodSync(private0700, 0o711);
  expect(closedFolders(path.join(private0700, 'repo'))).toEqual([]);
});

test('every closed folder on the way is named, outermost first', () => {
  const modes: Record<string, number> = { '/': 0o755, '/home': 0o755, '/home/ann': 0o700, '/home/ann/work': 0o750, '/home/ann/work/repo': 0o755 };
  expect(closedFolders('/home/ann/work/repo', (f) => modes[f])).toEqual(['/home/ann', '/home/ann/work']);
});

// As root only: PostgreSQL then runs as its own user (as in CI and the container).
(runsAsPostgresUser ? test : test.skip)('as root, data inside a closed folder stops the start at once, with a message naming the folder to open', async () => {
  const dataDir = path.join(private0700, 'repo', '.data');
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  chmodSync(private0700, 0o700);
  const start = startPostgres({ dataDir, port: 1, logDir: path.join(private0700, 'logs') });
  await expect(start).rejects.toThrow(`cannot enter ${private0700} to reach its data: open with \`chmod o+x ${private0700}\``);
});
