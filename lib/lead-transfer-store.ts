import type { Client } from '@temporalio/client';
import type { IncludeField } from '../domain/lead-transfers/fingerprint';
import { mayEdit, transition, type TransferAction, type TransferStatus } from '../domain/lead-transfers/status';
import { LeadTransfer, type LeadTransferDoc } from '../models/lead-transfer';
import { newId } from './ids';
import { syncTransferSchedule } from './lead-transfer-schedule';

export interface TransferInput {
  name: string;
  segmentId: string;
  connection: string;
  every: string;
  everySeconds: number;
  include: IncludeField[];
}

/** Where a transfer's Schedule lives: the Temporal client and the task queue its runs go to. */
export interface ScheduleTarget {
  client: Client;
  taskQueue: string;
}

/** Why a change was refused: the transfer does not exist, or its status forbids it (the message names the status). */
export type Refusal = { notFound: true } | { conflict: string };
type Changed = { transfer: LeadTransferDoc } | Refusal;

/** A new transfer is a draft; its Schedule exists from the start, paused, so "run now" works before it is activated. */
export async function createTransfer(target: ScheduleTarget, input: TransferInput): Promise<LeadTransferDoc> {
  const doc = (await LeadTransfer.create({ _id: newId('lt'), ...input, status: 'draft' })).toObject() as LeadTransferDoc;
  await syncTransferSchedule(target.client, target.taskQueue, doc);
  return doc;
}

/** Replaces the settings of a draft or paused transfer; the change holds only if the status did not move meanwhile. */
export async function editTransfer(target: ScheduleTarget, id: string, input: TransferInput): Promise<Changed> {
  const current = await LeadTransfer.findOne({ _id: id }, { status: 1 }).lean();
  if (!current) return { notFound: true };
  const refused = mayEdit(current.status as TransferStatus);
  if (refused) return { conflict: refused };
  const res = await LeadTransfer.updateOne({ _id: id, status: current.status }, { $set: input });
  if (res.matchedCount === 0) return editTransfer(target, id, input);
  const transfer = (await LeadTransfer.findOne({ _id: id }).lean()) as LeadTransferDoc;
  await syncTransferSchedule(target.client, target.taskQueue, transfer);
  return { transfer };
}

/**
 * Moves the transfer to the action's status (from the status it was read in,
 * so two requests cannot both move it), then brings its Schedule in line. A
 * repeated action changes nothing but the Schedule, so a request retried after
 * the Schedule call failed completes it.
 */
export async function changeStatus(target: ScheduleTarget, id: string, action: TransferAction): Promise<Changed> {
  const current = await LeadTransfer.findOne({ _id: id }, { status: 1 }).lean();
  if (!current) return { notFound: true };
  const next = transition(current.status as TransferStatus, action);
  if (!next.ok) return { conflict: next.reason };
  const res = await LeadTransfer.updateOne({ _id: id, status: current.status }, { $set: { status: next.to } });
  if (res.matchedCount === 0) return changeStatus(target, id, action);
  const transfer = (await LeadTransfer.findOne({ _id: id }).lean()) as LeadTransferDoc;
  await syncTransferSchedule(target.client, target.taskQueue, transfer);
  return { transfer };
}
