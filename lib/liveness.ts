import { Context } from '@temporalio/activity';

/** How often a running activity says it is alive; the worker sends at most one heartbeat this often (workers/options.ts). */
export const LIVENESS_BEAT_MS = 5000;

/**
 * Runs an activity's work while heartbeating on a timer, so a worker that
 * dies (SIGKILL, power cut) hands the task back after its heartbeat timeout
 * instead of its whole start-to-close timeout. It proves the process is
 * alive, not progress: a slow statement is not a dead worker. The first beat
 * comes one period in: the timeout counts from the start, so a beat at once
 * told the server nothing, and most refreshes end well within a period.
 */
export async function whileAlive<T>(run: () => Promise<T>): Promise<T> {
  const context = Context.current();
  // A local activity cannot heartbeat: the workflow task it runs in times out instead.
  if (context.info.isLocal) return run();
  const beat = setInterval(() => context.heartbeat(), LIVENESS_BEAT_MS);
  try {
    return await run();
  } finally {
    clearInterval(beat);
  }
}
