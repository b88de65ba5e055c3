import { ActivityFailure, continueAsNew, proxyActivities, setHandler, sleep, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { IncludeField } from '../domain/lead-transfers/fingerprint';
import { emptyTally, pollDelayMs, type RunTally } from '../domain/lead-transfers/run';
import { leadTransferProgressQuery, type LeadTransferProgress } from './lead-transfer-messages';

/** What a run read of its transfer when it began: later edits apply to the next run. */
export interface TransferSettings {
  segmentId: string;
  connection: string;
  include: IncludeField[];
}

export interface LeadTransferRunInput {
  transferId: string;
  /** Carried over a continue-as-new. */
  runId?: string;
  settings?: TransferSettings;
  /** The last segment member handed over or skipped: the next page starts after it. */
  after?: string;
  progress?: LeadTransferProgress;
  /** When the run stops waiting for the CRM's results (epoch ms), and the polls so far. */
  waitUntil?: number;
  polls?: number;
}

/** Leads per page: one activity records and wakes up to this many outbound messages. */
const PAGE_SIZE = 200;
/** Pages per workflow run before it continues as new: a page is three history events. */
const PAGES_PER_RUN = 200;
/** How long a run waits for the CRM's results; what is not final by then is counted pending. */
const WAIT_LIMIT_MS = 3_600_000;

// Database reads and writes, and recording messages: retried through an outage of minutes, then the run is failed.
const { beginLeadTransferRun, transferLeadPage, settleLeadTransferRun } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});
const { finishLeadTransferRun } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumInterval: '30 seconds' } });

/**
 * One run of a lead transfer: the segment's members never transferred by it or
 * changed since are handed to the connection's delivery lane page by page
 * (each lead an outbound message, so retries and replays send it once), then
 * the run waits until the CRM's result for each is final, or an hour, and
 * records its counts. Started by the transfer's Schedule (or its trigger).
 */
export async function leadTransferRunWorkflow(input: LeadTransferRunInput): Promise<LeadTransferProgress> {
  const runId = input.runId ?? `ltr_${uuid4().replace(/-/g, '').slice(0, 20)}`;
  const progress: LeadTransferProgress = input.progress ?? { runId, transferId: input.transferId, phase: 'selecting', pages: 0, handed: 0, ...emptyTally() };
  setHandler(leadTransferProgressQuery, () => progress);
  const tally = (): RunTally => ({ transferred: progress.transferred, skipped: progress.skipped, failed: progress.failed, pending: progress.pending });
  const carry = (more: Partial<LeadTransferRunInput>) => continueAsNew<typeof leadTransferRunWorkflow>({ transferId: input.transferId, runId, progress, ...more });
  try {
    let settings = input.settings;
    if (!settings) {
      const begun = await beginLeadTransferRun({ transferId: input.transferId, runId, workflowId: workflowInfo().workflowId });
      if (!begun.ok) return Object.assign(progress, { phase: 'not_run' as const, reason: begun.reason });
      settings = begun.settings;
    }
    let after = input.after;
    for (let pages = 0; progress.phase === 'selecting'; pages++) {
      if (pages >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) await carry({ settings, after });
      const page = await transferLeadPage({ transferId: input.transferId, runId, ...settings, after, limit: PAGE_SIZE });
      progress.pages += 1;
      progress.handed += page.handed;
      progress.skipped += page.skipped;
      if (page.after === undefined) progress.phase = 'delivering';
      after = page.after;
    }
    const waitUntil = input.waitUntil ?? Date.now() + WAIT_LIMIT_MS;
    for (let poll = input.polls ?? 0; ; poll++) {
      const now = await settleLeadTransferRun({ runId, skipped: progress.skipped });
      Object.assign(progress, now);
      if (now.pending === 0 || Date.now() >= waitUntil) break;
      if (workflowInfo().continueAsNewSuggested) await carry({ settings, waitUntil, polls: poll });
      await sleep(Math.max(1, Math.min(pollDelayMs(poll), waitUntil - Date.now())));
    }
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    progress.phase = 'failed';
    await finishLeadTransferRun({ runId, status: 'failed', tally: tally(), error: err.cause?.message ?? err.message });
    return progress;
  }
  progress.phase = 'completed';
  await finishLeadTransferRun({ runId, status: 'completed', tally: tally() });
  return progress;
}
