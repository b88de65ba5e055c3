import { condition, continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { transportOf, type Lane } from '../domain/delivery/lanes';
import { channelQueue, type DispatchSettings } from '../domain/delivery/queues';
import { wakeSignal } from './dispatch-messages';

export interface DispatchInput extends DispatchSettings {
  lane: Lane;
  historyLimit: number;
  /** When the earliest deferred or retried message is due, carried across continue-as-new; unset: look at start. */
  nextDueAt?: number;
  /** The main task queue, whose channel queues the sends go to; unset: a dispatcher started on the main queue itself. */
  mainQueue?: string;
}

// Claims and releases touch only our database: retried until they succeed.
const { claimDeliveries, releaseDueDeliveries } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } });

/**
 * The one dispatcher of a lane, `dispatch:<lane>`: while messages are ready it
 * claims them in batches (claims one after another, so no two overlap) and
 * sends up to `concurrency` batches at a time on the transport's rate-limited
 * task queue; it sleeps until woken by new messages or until the next deferred
 * or retried message is due. Messages are the queue (outbound_messages.queue),
 * so the workflow holds no list of them and a crash anywhere loses none.
 */
export async function dispatchWorkflow(input: DispatchInput): Promise<void> {
  const transport = transportOf(input.lane);
  const delivery = proxyActivities<Activities>({
    taskQueue: channelQueue(input.mainQueue ?? workflowInfo().taskQueue, transport),
    // Each send ends within its transport's timeouts (40 s at most) and heartbeats: a killed worker's batch is
    // retried a minute after its last send, when none of its sends can still be in flight.
    heartbeatTimeout: '1 minute',
    startToCloseTimeout: '15 minutes',
    retry: { maximumInterval: '1 minute' },
  });
  const deliver = transport === 'crm' ? delivery.deliverCrmRecords : transport === 'audience' ? delivery.deliverAudienceChanges : delivery.deliverEmails;
  let woken = true;
  setHandler(wakeSignal, () => void (woken = true));
  let nextDueAt = input.nextDueAt ?? 0;
  let claims = 0;
  const inFlight = new Set<Promise<unknown>>();
  const { runId } = workflowInfo();
  const mustContinue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > input.historyLimit;
  const earlier = (at: number | undefined) => void (at !== undefined && (nextDueAt === 0 || at < nextDueAt) && (nextDueAt = at));

  for (;;) {
    if (nextDueAt && nextDueAt <= Date.now()) {
      nextDueAt = 0;
      earlier(await releaseDueDeliveries({ lane: input.lane }));
      woken = true;
    }
    while (woken && !mustContinue()) {
      woken = false;
      while (!mustContinue()) {
        const claimId = `${runId}:${++claims}`;
        if (!(await claimDeliveries({ lane: input.lane, claimId, limit: input.batchSize }))) break;
        const batch: Promise<number | undefined> = deliver({ lane: input.lane, claimId, retry: input.retry }).then((r) => {
          inFlight.delete(batch);
          earlier(r.nextDueAt);
          return r.pauseMs;
        });
        inFlight.add(batch);
        // A destination with a request rate (a CRM connection) says how long its last batch's requests need to spread.
        if (input.concurrency === 1) {
          const pauseMs = await batch;
          if (pauseMs) await sleep(pauseMs);
        }
        await condition(() => inFlight.size < input.concurrency);
      }
    }
    if (mustContinue()) {
      // Every claim of this run is settled first: a claim id names its run.
      await condition(() => inFlight.size === 0);
      await continueAsNew<typeof dispatchWorkflow>({ ...input, nextDueAt: nextDueAt || undefined });
    }
    // A batch that ends with a deferral earlier than the one slept for wakes the loop to sleep less.
    const sleptFor = nextDueAt;
    await condition(() => woken || mustContinue() || nextDueAt !== sleptFor, sleptFor ? Math.max(1, sleptFor - Date.now()) : undefined);
  }
}
