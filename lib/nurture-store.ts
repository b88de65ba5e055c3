import { addsCampaigns, appendOnlyProblems, type EditProblem } from '../domain/nurture/append-only';
import type { NurtureDefinition } from '../domain/nurture/definition';
import { editRule, transition, type StreamAction, type StreamStatus } from '../domain/nurture/status';
import { nurtureOrigin, type CastMessage } from '../domain/nurture/stats';
import { NurtureStream, type NurtureStreamDoc } from '../models/nurture-stream';
import { OutboundMessage } from '../models/outbound-message';
import type { DeliveryTarget } from './deliver-events';
import { newId } from './ids';
import { enrolSegmentMembers } from './nurture-entry';
import { tellEnrolments } from './nurture-signals';

export type StreamDoc = NurtureStreamDoc & { definition: NurtureDefinition; status: StreamStatus };
/** Why a change was refused: no such stream, its status forbids it (the message names the status), or it would change what people rely on. */
export type Refusal = { notFound: true } | { conflict: string; details?: EditProblem[] };
type Changed = { stream: StreamDoc } | Refusal;

const read = async (id: string) => (await NurtureStream.findOne({ _id: id }).lean()) as StreamDoc | null;

export async function createStream(definition: NurtureDefinition): Promise<StreamDoc> {
  return (await NurtureStream.create({ _id: newId('ns'), name: definition.name, definition, status: 'draft', statusSeq: 0 })).toObject() as StreamDoc;
}

/**
 * Replaces the definition: freely in a draft; a running stream may only grow
 * (people keep their place), and campaigns it gains reach the people who had
 * everything. The write holds only if the status did not move meanwhile.
 */
export async function editStream(target: DeliveryTarget, id: string, definition: NurtureDefinition): Promise<Changed> {
  const current = await read(id);
  if (!current) return { notFound: true };
  const rule = editRule(current.status);
  if (typeof rule === 'object') return { conflict: rule.refused };
  if (rule === 'appendOnly') {
    const problems = appendOnlyProblems(current.definition, definition);
    if (problems.length) return { conflict: `the nurture stream is ${current.status}: its stages and campaigns can only be appended to`, details: problems };
  }
  const res = await NurtureStream.updateOne({ _id: id, status: current.status, statusSeq: current.statusSeq }, { $set: { name: definition.name, definition } });
  if (res.matchedCount === 0) return editStream(target, id, definition);
  if (rule === 'appendOnly' && addsCampaigns(current.definition, definition)) await tellEnrolments(target, id, 'newContent');
  return { stream: (await read(id))! };
}

/**
 * Moves the stream to the action's status (from the status it was read in,
 * so two requests cannot both move it), numbering the change, then tells the
 * people on it in the background. Activating tells nobody (nobody is on a
 * draft) but enrols the entry segment's members, in the background too.
 */
export async function changeStatus(target: DeliveryTarget, id: string, action: StreamAction): Promise<Changed> {
  const current = await read(id);
  if (!current) return { notFound: true };
  const next = transition(current.status, action);
  if (!next.ok) return { conflict: next.reason };
  // Repeated, it tells again what a first attempt may have failed to tell (each change is told once).
  if (!next.changed) {
    if (action !== 'activate') await tellEnrolments(target, id, action, current.statusSeq);
    else await enrolSegmentMembers(target, current);
    return { stream: current };
  }
  const seq = current.statusSeq + 1;
  const res = await NurtureStream.updateOne({ _id: id, status: current.status, statusSeq: current.statusSeq }, { $set: { status: next.to, statusSeq: seq } });
  if (res.matchedCount === 0) return changeStatus(target, id, action);
  if (action !== 'activate') await tellEnrolments(target, id, action, seq);
  else await enrolSegmentMembers(target, current);
  return { stream: (await read(id))! };
}

/** What the stream's casts recorded, as its stats count them: one equality read on the messages' top-level origin. */
export async function streamMessages(streamId: string): Promise<CastMessage[]> {
  return OutboundMessage.find({ origin: nurtureOrigin(streamId) }, { step: 1, status: 1, deferredAt: 1, clickedAt: 1 }).lean();
}
