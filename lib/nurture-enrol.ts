import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { firstCastAt } from '../domain/nurture/cadence';
import type { NurtureDefinition } from '../domain/nurture/definition';
import { AccountKey, NurtureStage, NurtureStatus, NurtureStreamId } from '../domain/search-attributes';
import { NurtureEnrolment } from '../models/nurture-enrolment';
import type { NurtureStreamDoc } from '../models/nurture-stream';
import { Person } from '../models/person';
import type { nurtureWorkflow } from '../workflows/nurture';
import { nurtureWorkflowId } from '../workflows/nurture-messages';
import type { DeliveryTarget } from './deliver-events';
import { findEach, writeEach } from './each-statement';
import { isDuplicateKey } from './mongo-errors';

export interface EnrolResult {
  enrolled: string[];
  alreadyEnrolled: string[];
  unknown: string[];
}

type Enrollable = Pick<NurtureStreamDoc, '_id' | 'name' | 'status' | 'statusSeq'> & { definition: NurtureDefinition };

/**
 * Puts people on a running stream, each as workflow `nurture:<streamId>:<personId>`
 * after their enrolment is on record (so a pause finds them). The record's id
 * is the workflow id: a person is on a stream at most once, and never again
 * after leaving it. A retried request starts the workflows an earlier attempt
 * recorded but did not start.
 */
export async function enrolPeople(target: DeliveryTarget, stream: Enrollable, personIds: readonly string[]): Promise<EnrolResult> {
  const ids = [...new Set(personIds)];
  const people = new Map((await findEach(ids, (id) => Person.find({ _id: id }, { firstName: 1, accountKey: 1, attributes: 1, mergedInto: 1 }).lean())).map((p) => [p._id, p]));
  const result: EnrolResult = { enrolled: [], alreadyEnrolled: [], unknown: [] };
  await writeEach(ids, async (personId) => {
    const person = people.get(personId);
    if (!person || person.mergedInto) return void result.unknown.push(personId);
    const workflowId = nurtureWorkflowId(stream._id, personId);
    const now = Date.now();
    const first = firstCastAt(now, stream.definition.cadence, (person.attributes as Record<string, unknown> | undefined)?.timeZone);
    let isNew = true;
    try {
      const accountKey = person.accountKey ?? undefined;
      await NurtureEnrolment.create({ _id: workflowId, streamId: stream._id, personId, accountKey, status: 'active', casts: 0, nextCampaign: stream.definition.stages[0].campaigns[0].id, nextCastAt: new Date(first), enrolledAt: new Date(now), updatedAt: new Date(now) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      isNew = false;
    }
    const existing = isNew ? undefined : await NurtureEnrolment.findOne({ _id: workflowId }, { status: 1, casts: 1, nextCastAt: 1 }).lean();
    if (existing && (existing.status === 'exited' || existing.casts > 0)) return void result.alreadyEnrolled.push(personId);
    const started = await start(target, stream, person, existing?.nextCastAt?.getTime() ?? first);
    (isNew || started ? result.enrolled : result.alreadyEnrolled).push(personId);
  });
  return result;
}

async function start(target: DeliveryTarget, stream: Enrollable, person: { _id: string; firstName?: string | null; accountKey?: string | null }, nextCastAt: number): Promise<boolean> {
  const accountKey = person.accountKey ?? undefined;
  try {
    await target.client.workflow.start<typeof nurtureWorkflow>('nurtureWorkflow', {
      workflowId: nurtureWorkflowId(stream._id, person._id),
      taskQueue: target.taskQueue,
      args: [{ streamId: stream._id, personId: person._id, accountKey, label: person.firstName || person._id, status: stream.status as 'active' | 'paused', seq: stream.statusSeq, nextCastAt, historyLimit: target.historyLimit }],
      // Once left, never again: the same id is refused.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: NurtureStreamId, value: stream._id },
        { key: NurtureStage, value: 0 },
        { key: NurtureStatus, value: stream.status === 'paused' ? 'paused' : 'active' },
        ...(accountKey ? [{ key: AccountKey, value: accountKey }] : []),
      ]),
      staticSummary: `${stream.name} for ${person.firstName || person._id}`,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
