// The servers the project builds from the Go module proxy (prebuilt downloads
// are unreachable here), each cached per version outside the clone and linked
// from .tools/bin so fresh clones and CI on the same machine reuse one build.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const toolsBin = path.join(repoRoot, '.tools', 'bin');
export const cacheRoot = process.env.B2B_TOOLS_CACHE ?? path.join(os.homedir(), '.cache', 'b2b-engine');

export interface GoTool {
  name: string;
  binary: string;
  /** Folder in the cache: changes whenever what is built changes. */
  cacheKey: string;
  /** Typical build time on 2 cores, shown while building. */
  expected: string;
  build: { cwd: string; args: string[]; env: (outDir: string) => NodeJS.ProcessEnv };
}

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const FERRETDB_VERSION = 'v1.24.2';

const ferretdbSource = path.join(repoRoot, 'scripts', 'ferretdb');

function sourceHash(dir: string, files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

export const temporalCli: GoTool = {
  name: 'Temporal CLI',
  binary: 'temporal',
  cacheKey: `temporal-${TEMPORAL_CLI_VERSION}`,
  expected: '3-5 min',
  build: {
    cwd: os.tmpdir(),
    args: ['install', '-v', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`],
    env: (outDir) => ({ ...process.env, GOBIN: outDir, GOFLAGS: '-buildvcs=false' }),
  },
};

export const ferretdb: GoTool = {
  name: 'FerretDB (embedded)',
  binary: 'ferretdb-embedded',
  cacheKey: `ferretdb-${FERRETDB_VERSION}-${sourceHash(ferretdbSource, ['main.go', 'serialize.go', 'go.mod', 'go.sum'])}`,
  expected: '1-3 min',
  build: {
    cwd: ferretdbSource,
    args: ['build', '-v', '-trimpath', '-o', '__OUT__/ferretdb-embedded', '.'],
    env: () => ({ ...process.env, GOFLAGS: '-buildvcs=false' }),
  },
};

export const goTools = [temporalCli, ferretdb];
