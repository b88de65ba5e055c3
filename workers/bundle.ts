// The workflow code, bundled by a short-lived child process: webpack's memory
// (about 100 MB measured) leaves with it instead of staying in the worker for
// its whole life. Run directly, this file is that child: it writes the bundle
// to the path it is given.
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const workflowsPath = require.resolve('../workflows');

/**
 * How the workflow code is bundled, wherever it is (worker, tests, bench). Our
 * workflow modules (and the domain modules they import) are evaluated once in
 * the worker's shared V8 context instead of once for each workflow it creates
 * or replays: a created workflow then holds 12 KB of heap instead of 78 KB, and
 * a cache of a given size fits in less memory. This is safe only while those
 * modules keep no state at module scope; test/workflow-bundle.test.ts holds
 * them to that.
 */
export const workflowBundleOptions: BundleOptions = { workflowsPath, preloadModules: ['@temporalio/workflow', workflowsPath] };

/** Bundles in a child process (with this process's loader) and answers the file, removed when this process exits. */
export async function bundleInChild(): Promise<{ codePath: string }> {
  const codePath = path.join(os.tmpdir(), `b2b-workflows-${process.pid}.js`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, codePath], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`bundling the workflows failed (${signal ?? `exit ${code}`})`))));
  });
  process.once('exit', () => rmSync(codePath, { force: true }));
  return { codePath };
}

if (require.main === module) {
  bundleWorkflowCode(workflowBundleOptions).then(
    ({ code }) => writeFileSync(process.argv[2], code),
    (err: Error) => {
      console.error(err.stack ?? err.message);
      process.exit(1);
    },
  );
}
