// The workflow code, bundled by a short-lived child process: webpack's memory
// (about 100 MB measured) leaves with it instead of staying in the worker for
// its whole life. Run directly, this file is that child: it writes the bundle
// to the path it is given.
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') }).then(
    ({ code }) => writeFileSync(process.argv[2], code),
    (err: Error) => {
      console.error(err.stack ?? err.message);
      process.exit(1);
    },
  );
}
