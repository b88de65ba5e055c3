// Each test file shares the process-wide Temporal runtime: install it once with
// a logger that keeps worker chatter out of test output but shows errors.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed by an earlier test file in this process
}
