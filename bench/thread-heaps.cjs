// Preloaded (--require) into the bench's worker process, and through its
// execArgv into each of its threads: every 2 s each thread appends its V8
// heap to the file BENCH_THREAD_HEAPS_FILE names, so a memory figure can say
// which heap holds the resident set (process.memoryUsage() sees one thread's).
// Plain JavaScript: it runs before the TypeScript loader is registered.
'use strict';
const { appendFileSync } = require('node:fs');
const { isMainThread, threadId } = require('node:worker_threads');

const file = process.env.BENCH_THREAD_HEAPS_FILE;
if (file) {
  const mb = (bytes) => Math.round(bytes / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    const sample = { at: Date.now(), pid: process.pid, thread: threadId, main: isMainThread, heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external) };
    appendFileSync(file, `${JSON.stringify(sample)}\n`);
  }, 2000).unref();
}
