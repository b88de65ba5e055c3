// RSS with sleeping enrolments: people enrolled through the API in a stream
// whose first cast is most of a day away, up to each checkpoint (10,000, then
// 100,000) or until the deadline; at each, once the worker has run their first
// workflow task (the main queue's backlog is handed out, and a sample of their
// histories holds the timer they sleep on; each wait bounded, what was left is
// recorded), a memory snapshot of the process (../memory.ts, as the other
// benches read it).
import { memorySnapshots } from '../memory';
import { sleep, within } from '../scenario';
import type { BenchStack } from '../stack';
import { round, sampleEvenly } from '../stats';
import { nurtureWorkflowId } from '../../workflows/nurture-messages';
import { enrolByApi, type Enrolled } from './enrol';
import { queueDrained } from './queue';

type Snapshot = ReturnType<ReturnType<typeof memorySnapshots>['snapshot']>;

/** Workflow tasks still waiting on the main queue when the enrolled count as settled. */
const BACKLOG_LEFT = 10;
const SETTLE_MAX_MS = 300000;
const ASLEEP_SAMPLE = 20;
const ASLEEP_MAX_MS = 300000;

/** Of a sample of the people, how many workflows sleep on their timer (their first task has run). */
async function asleep(stack: BenchStack, streamId: string, personIds: string[]): Promise<{ sampled: number; asleep: number }> {
  const sampled = sampleEvenly(personIds, ASLEEP_SAMPLE);
  let n = 0;
  for (const personId of sampled) {
    const history = await within(stack.client.workflow.getHandle(nurtureWorkflowId(streamId, personId)).fetchHistory(), 30000, 'fetching a history').catch(() => undefined);
    if (history?.events?.some((e) => e.timerStartedEventAttributes)) n++;
  }
  return { sampled: sampled.length, asleep: n };
}

export async function sleepingMemory(stack: BenchStack, streamId: string, personIds: string[], checkpoints: number[], deadline: number, log: (line: string) => void) {
  const mem = memorySnapshots(stack);
  const before = mem.snapshot();
  let peakRss = 0;
  const sampler = setInterval(() => void (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 2000);
  const points: { target: number; reached: number; enrolment: Enrolled; settled: Awaited<ReturnType<typeof queueDrained>>; sample: { sampled: number; asleep: number }; memory: Snapshot }[] = [];
  let reached = 0;
  try {
    for (const target of checkpoints) {
      const batch = personIds.slice(reached, target);
      const enrolment = await enrolByApi(stack, streamId, batch, { deadline, what: `sleeping, to ${target}`, log });
      reached += enrolment.enrolled + enrolment.alreadyEnrolled;
      const settled = await queueDrained(stack, { left: BACKLOG_LEFT, maxMs: SETTLE_MAX_MS });
      const enrolledIds = personIds.slice(0, reached);
      let sample = await asleep(stack, streamId, enrolledIds);
      for (const until = Date.now() + ASLEEP_MAX_MS; sample.asleep < sample.sampled && Date.now() < until; sample = await asleep(stack, streamId, enrolledIds)) await sleep(10000);
      const memory = mem.snapshot();
      log(`nurture: ${reached} sleeping enrolments (target ${target}; ${sample.asleep}/${sample.sampled} sampled asleep): rss ${memory.withoutGc.rssMB} MB, after GC ${memory.afterGc?.rssMB ?? '-'} MB, ${memory.worker.cachedWorkflows} cached`);
      points.push({ target, reached, enrolment, settled, sample, memory });
      if (!enrolment.complete) break;
    }
  } finally {
    clearInterval(sampler);
  }
  return {
    note: 'one process: the worker (main thread + its workflow threads), the API, the Temporal client and the bench; heap figures are the main thread only; forced GC collects the main thread only',
    forcedGc: mem.forcedGc,
    maxCachedWorkflows: stack.worker.options.maxCachedWorkflows,
    beforeEnrolment: before,
    checkpoints: points,
    peakRssDuringEnrolmentMB: round(peakRss / 1048576),
    reached,
  };
}
