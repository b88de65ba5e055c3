import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { AccountEvent } from '../domain/events';
import type { JourneyDefinition } from '../domain/journeys/definition';
import { AccountKey, JourneyId, JourneyStatus, JourneyVersion, NodeId } from '../domain/search-attributes';
import { Journey, JourneyInstance, JourneyVersion as JourneyVersionDoc } from '../models/journey';
import { journeyEventsSignal, journeyWorkflowId } from '../workflows/journey-messages';
import type { journeyWorkflow } from '../workflows/journey';
import type { DeliveryTarget } from './deliver-events';
import { versionedCache } from './versioned-cache';

export interface LiveJourney {
  id: string;
  name: string;
  version: number;
  definition: JourneyDefinition;
  state: 'active' | 'paused' | 'stopped';
}

const ACTIVE = new Set(['running', 'waiting', 'paused']);

/** Published journeys with their latest version (a small collection: read whole). */
async function readLive(): Promise<{ stamp: number; journeys: LiveJourney[] }> {
  const journeys = (await Journey.find({}).lean()).filter((j) => j.latestVersion > 0);
  const live: LiveJourney[] = [];
  for (const j of journeys) {
    const v = await JourneyVersionDoc.findOne({ _id: `${j._id}:v${j.latestVersion}` }).lean();
    if (v) live.push({ id: j._id, name: j.name, version: v.version, definition: v.definition as JourneyDefinition, state: j.state });
  }
  return { stamp: Date.now(), journeys: live };
}

/** What entry rules see, read at most once a second per process. */
export const liveJourneys = versionedCache(readLive, (l) => l.stamp);

export type StartOutcome = 'started' | 'alreadyRunning' | 'alreadyEntered';

/**
 * Starts one account on a journey version, as workflow `journey:<id>:<account>`:
 * Temporal refuses a second one while it runs, so duplicates are impossible by
 * construction; `reentry: once` also refuses an account that was ever on it.
 */
export async function startJourney(target: DeliveryTarget, journey: LiveJourney, accountKey: string): Promise<StartOutcome> {
  const workflowId = journeyWorkflowId(journey.id, accountKey);
  const before = await JourneyInstance.findOne({ _id: workflowId }, { status: 1 }).lean();
  if (before && ACTIVE.has(before.status)) return 'alreadyRunning';
  if (before && journey.definition.reentry === 'once') return 'alreadyEntered';
  try {
    await target.client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
      workflowId,
      taskQueue: target.taskQueue,
      args: [{ journeyId: journey.id, version: journey.version, accountKey, definition: journey.definition }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: AccountKey, value: accountKey },
        { key: JourneyId, value: journey.id },
        { key: JourneyVersion, value: journey.version },
        { key: NodeId, value: journey.definition.start },
        { key: JourneyStatus, value: 'running' },
      ]),
      staticSummary: `${journey.name} (v${journey.version}) for account ${accountKey}`,
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'alreadyRunning';
    throw err;
  }
}

/**
 * After an account's events are applied: its running journeys get them (as a
 * signal each), journeys entered on one of these event types start, and so do
 * journeys whose entry segment the account just entered.
 */
export async function routeToJourneys(target: DeliveryTarget, accountKey: string, events: readonly AccountEvent[], enteredSegments: readonly string[]): Promise<void> {
  // A segment entry happens once: read the journeys fresh then, so one published a moment ago is not missed.
  const { journeys } = await liveJourneys({ fresh: enteredSegments.length > 0 });
  if (journeys.length === 0) return;
  if (events.length) {
    const running = (await JourneyInstance.find({ accountKey }, { status: 1 }).lean()).filter((i) => ACTIVE.has(i.status));
    await Promise.all(
      running.map((i) =>
        target.client.workflow
          .getHandle(i._id)
          .signal(journeyEventsSignal, [...events])
          .catch((err: Error) => {
            // An instance that ended a moment ago no longer takes events.
            if (err.name !== 'WorkflowNotFoundError') throw err;
          }),
      ),
    );
  }
  const types = new Set(events.map((e) => e.type));
  const entering = journeys.filter(
    (j) => j.state === 'active' && (('event' in j.definition.entry && types.has(j.definition.entry.event)) || ('segmentId' in j.definition.entry && enteredSegments.includes(j.definition.entry.segmentId))),
  );
  for (const j of entering) await startJourney(target, j, accountKey);
}
