import { defineQuery } from '@temporalio/workflow';
import type { RunTally } from '../domain/lead-transfers/run';

/** Where a run stands: choosing leads page by page, waiting for the CRM's results, or over. */
export interface LeadTransferProgress extends RunTally {
  runId: string;
  transferId: string;
  phase: 'selecting' | 'delivering' | 'completed' | 'failed' | 'not_run';
  /** Pages of the segment read, and leads handed to the CRM so far. */
  pages: number;
  handed: number;
  /** Why the run did not happen (the transfer was stopped or deleted before it began). */
  reason?: string;
}

export const leadTransferProgressQuery = defineQuery<LeadTransferProgress>('progress');

/** The Schedule's runs are `lead-transfer-run:<transferId>-<time>` (Temporal appends the time). */
export const leadTransferRunWorkflowId = (transferId: string) => `lead-transfer-run:${transferId}`;
