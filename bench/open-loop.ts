// An open-loop sender: one send due every tickMs from the start, whether or not
// the ones before have been answered, so a slow server shows up as latency and
// skipped ticks, not as a politely slower client. Beyond maxInFlight
// unanswered sends a tick is skipped (the achieved rate drops and says so).
import { sleep } from './scenario';

export interface OpenLoopOptions {
  /** Sends due in all, the k-th at start + k × tickMs. */
  ticks: number;
  tickMs: number;
  /** Sends allowed in flight: beyond that a tick is skipped. */
  maxInFlight: number;
  /** Checked before each tick: true ends the sending there (ticks is then the most there can be). */
  stopWhen?: () => boolean;
}

export interface OpenLoopResult {
  /** Ticks whose send was started (k of each is passed to send). */
  sent: number;
  /** Ticks skipped because maxInFlight sends were in flight. */
  skippedTicks: number;
  /** Sends that threw (send should count its own failures; this is the backstop). */
  thrown: number;
  /** First tick → the last send settled. */
  sendMs: number;
}

/** Runs the ticks; send(k) is the k-th tick's work (it owns its timing and its figures). */
export async function sendOpenLoop(opts: OpenLoopOptions, send: (tick: number) => Promise<void>): Promise<OpenLoopResult> {
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let skippedTicks = 0;
  let thrown = 0;
  const start = Date.now();
  for (let k = 0; k < opts.ticks; k++) {
    const due = start + k * opts.tickMs;
    if (due > Date.now()) await sleep(due - Date.now());
    if (opts.stopWhen?.()) break;
    if (inFlight.size >= opts.maxInFlight) {
      skippedTicks++;
      continue;
    }
    sent++;
    const p = send(k).catch(() => void thrown++);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  return { sent, skippedTicks, thrown, sendMs: Date.now() - start };
}
