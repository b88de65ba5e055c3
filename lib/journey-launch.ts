import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { AccountEvent } from '../domain/events';
import type { JourneyDefinition } from '../domain/journeys/definition';
import { eventTypesHeard } from '../domain/journeys/graph';
import { AccountKey, JourneyId, JourneyStatus, JourneyVersion, NodeId } from '../domain/search-attributes';
import { Journey, JourneyInstance } from '../models/journey';
import { journeyEventsSignal, journeyWorkflowId, pauseSignal, resumeSignal, stopSignal } from '../workflows/journey-messages';
import type { journeyWorkflow } from '../workflows/journey';
import type { DeliveryTarget } from './deliver-events';
import { versionOf } from './journey-store';
import { versionedCache } from './versioned-cache';

export interface LiveJourney {
  id: string;
  name: string;
  version: number;
  definition: JourneyDefinition;
  state: 'active' | 'paused' | 'stopped';
}

/** Statuses of an instance that still runs. */
export const ACTIVE = new Set(['running', 'waiting', 'paused']);

/** Published versions never change: each is read once per process. */
const versions = new Map<string, Promise<JourneyDefinition | undefined>>();
export function publishedVersion(journeyId: string, version: number): Promise<JourneyDefinition | undefined> {
  const key = `${journeyId}:v${version}`;
  let read = versions.get(key);
  if (!read) {
    read = versionOf(journeyId, version);
    versions.set(key, read);
    read.then((d) => d ?? versions.delete(key), () => versions.delete(key));
  }
  return read;
}

/** Published journeys with their latest version (a small collection: read whole; each version read once per process). */
async function readLive(): Promise<{ stamp: number; journeys: LiveJourney[] }> {
  const journeys = (await Journey.find({}).lean()).filter((j) => j.latestVersion > 0);
  const live: LiveJourney[] = [];
  for (const j of journeys) {
    const definition = await publishedVersion(j._id, j.latestVersion);
    if (definition) live.push({ id: j._id, name: j.name, version: j.latestVersion, definition, state: j.state });
  }
  return { stamp: Date.now(), journeys: live };
}

/** What entry rules see, read at most once a second per process. */
export const liveJourneys = versionedCache(readLive, (l) => l.stamp);

export type StartOutcome = 'started' | 'alreadyRunning' | 'alreadyEntered';

/** Tells one instance what its journey's state became; an instance that has ended takes nothing. */
export async function steerInstance(target: DeliveryTarget, workflowId: string, state: 'active' | 'paused' | 'stopped'): Promise<boolean> {
  const handle = target.client.workflow.getHandle(workflowId);
  const sent = state === 'paused' ? handle.signal(pauseSignal) : state === 'active' ? handle.signal(resumeSignal) : handle.signal(stopSignal, { reason: 'journey stopped' });
  try {
    await sent;
    return true;
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return false;
    throw err;
  }
}

/**
 * Starts one account on a journey version, as workflow `journey:<id>:<account>`:
 * Temporal refuses a second one while it runs, so duplicates are impossible by
 * construction; `reentry: once` also refuses an account that was ever on it.
 * A `jobId` marks the instances a launch job started, so a retried chunk of
 * that job counts them as started again, not as already running.
 */
export async function startJourney(target: DeliveryTarget, journey: LiveJourney, accountKey: string, opts: { jobId?: string } = {}): Promise<StartOutcome> {
  const workflowId = journeyWorkflowId(journey.id, accountKey);
  const before = await JourneyInstance.findOne({ _id: workflowId }, { status: 1, jobId: 1 }).lean();
  const running = before && ACTIVE.has(before.status);
  if (before && !running && journey.definition.reentry === 'once') return 'alreadyEntered';
  if (!running) {
    // On record before it runs: pause, stop, migration and event routing find it from the moment its start is accepted.
    const now = new Date();
    await JourneyInstance.updateOne(
      { _id: workflowId },
      { $set: { journeyId: journey.id, accountKey, version: journey.version, nodeId: journey.definition.start, status: 'running', enteredAt: now, updatedAt: now, jobId: opts.jobId ?? null } },
      { upsert: true },
    );
  }
  try {
    await target.client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
      workflowId,
      taskQueue: target.taskQueue,
      args: [{ journeyId: journey.id, version: journey.version, accountKey, definition: journey.definition, paused: journey.state === 'paused', historyLimit: target.historyLimit }],
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
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return opts.jobId && before?.jobId === opts.jobId ? 'started' : 'alreadyRunning';
  }
  // A pause or stop accepted while this start was under way may have listed the instances before this one was on record.
  const now = await Journey.findOne({ _id: journey.id }, { state: 1 }).lean();
  if (now && now.state !== journey.state) await steerInstance(target, workflowId, now.state);
  return 'started';
}

/**
 * Before an account's batch is written: journeys whose entry segment it just
 * entered start (read fresh, so one published a moment ago is not missed).
 * A retry sees the same entries again, and starts are idempotent.
 */
export async function startOnSegmentEntry(target: DeliveryTarget, accountKey: string, enteredSegments: readonly string[]): Promise<void> {
  if (enteredSegments.length === 0) return;
  const { journeys } = await liveJourneys({ fresh: true });
  for (const j of journeys) {
    if (j.state === 'active' && 'segmentId' in j.definition.entry && enteredSegments.includes(j.definition.entry.segmentId)) await startJourney(target, j, accountKey);
  }
}

/**
 * After an account's batch is written, so what an instance does next (a split,
 * an exit rule) sees it: each running instance gets the events it can act on
 * (what its waits wait for, what its exit rule names) in one signal, and
 * journeys entered on one of these event types start. A retry repeats this;
 * an instance takes an event once (the first match ends a wait).
 */
export async function routeEvents(target: DeliveryTarget, accountKey: string, events: readonly AccountEvent[]): Promise<void> {
  if (events.length === 0) return;
  const { journeys } = await liveJourneys();
  if (journeys.length === 0) return;
  const instances = (await JourneyInstance.find({ accountKey }, { status: 1, journeyId: 1, version: 1 }).lean()).filter((i) => ACTIVE.has(i.status));
  await Promise.all(
    instances.map(async (i) => {
      const definition = await publishedVersion(i.journeyId, i.version);
      const heard = definition ? eventTypesHeard(definition) : new Set<string>();
      const relevant = events.filter((e) => heard.has(e.type) || (!!e.means && heard.has(e.means)));
      if (relevant.length === 0) return;
      await target.client.workflow
        .getHandle(i._id)
        .signal(journeyEventsSignal, relevant)
        .catch((err: Error) => {
          // An instance that ended a moment ago no longer takes events.
          if (err.name !== 'WorkflowNotFoundError') throw err;
        });
    }),
  );
  const types = new Set(events.flatMap((e) => (e.means ? [e.type, e.means] : [e.type])));
  for (const j of journeys) {
    if (j.state === 'active' && 'event' in j.definition.entry && types.has(j.definition.entry.event)) await startJourney(target, j, accountKey);
  }
}
