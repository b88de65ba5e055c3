import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { NurtureDefinition } from '../domain/nurture/definition';
import type { MembershipChange } from '../domain/segments/membership';
import { NurtureStream } from '../models/nurture-stream';
import { SegmentMember } from '../models/segment-membership';
import { recheckSignal, nurtureWorkflowId } from '../workflows/nurture-messages';
import type { nurtureSegmentEntryWorkflow } from '../workflows/nurture-segment-entry';
import type { DeliveryTarget } from './deliver-events';
import { writeEach } from './each-statement';
import { enrolPeople } from './nurture-enrol';
import type { StreamDoc } from './nurture-store';

type SegmentEntry = { segmentId: string; keepOnLeave?: boolean };
const segmentEntry = (def: NurtureDefinition): SegmentEntry | undefined => ('segmentId' in def.entry ? def.entry : undefined);

/** Streams people can join now and whose enrolments still run: active or paused. Two equality reads. */
export async function runningStreams(): Promise<StreamDoc[]> {
  const running = await Promise.all(['active', 'paused'].map((status) => NurtureStream.find({ status }).lean()));
  return running.flat() as StreamDoc[];
}

/** Running streams that follow a segment. */
async function followingStreams(): Promise<StreamDoc[]> {
  return (await runningStreams()).filter((s) => segmentEntry(s.definition));
}

/**
 * After a batch recorded its segment entries and exits: people entering a
 * stream's segment join it, one Temporal start each; people leaving it are
 * judged now on a stream that lets them go. Both are idempotent, so a retried
 * batch changes nothing. Costs one read when no stream follows a segment.
 */
export async function followSegmentChanges(target: DeliveryTarget, changes: readonly MembershipChange[]): Promise<void> {
  if (!changes.length) return;
  for (const stream of await followingStreams()) {
    const entry = segmentEntry(stream.definition)!;
    const mine = changes.filter((c) => c.segmentId === entry.segmentId);
    const entered = mine.filter((c) => c.change === 'entered').map((c) => c.memberId);
    if (entered.length) await enrolPeople(target, stream, entered);
    if (entry.keepOnLeave !== false) continue;
    await writeEach(
      mine.filter((c) => c.change === 'exited'),
      async (c) => {
        try {
          await target.client.workflow.getHandle(nurtureWorkflowId(stream._id, c.memberId)).signal(recheckSignal);
        } catch (err) {
          // Not on the stream, or left it already.
          if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
        }
      },
    );
  }
}

/** Whether the person is out of the stream's entry segment on a stream that lets such people go (its member list is written before the person). */
export async function leftEntrySegment(def: NurtureDefinition, personId: string): Promise<boolean> {
  const entry = segmentEntry(def);
  if (!entry || entry.keepOnLeave !== false) return false;
  return !(await SegmentMember.exists({ _id: `${entry.segmentId}:${personId}` }));
}

/** On activation, the segment's current members join, in the background (one workflow per stream; running it again enrols nobody twice). */
export async function enrolSegmentMembers(target: DeliveryTarget, stream: Pick<StreamDoc, '_id' | 'definition'>): Promise<void> {
  if (!segmentEntry(stream.definition)) return;
  try {
    await target.client.workflow.start<typeof nurtureSegmentEntryWorkflow>('nurtureSegmentEntryWorkflow', {
      workflowId: `nurture-segment-entry:${stream._id}`,
      taskQueue: target.taskQueue,
      args: [{ streamId: stream._id, offset: 0 }],
      staticSummary: `the members of the entry segment join nurture stream ${stream._id}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
