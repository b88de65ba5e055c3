import { Context } from '@temporalio/activity';
import { backgroundQueue } from '../domain/background-queue';
import { EntityRef, entityRefFor, entityWorkflowId } from '../domain/routing';
import { backlogGate } from '../lib/backlog-gate';
import { DeliveryTarget, requestRefresh } from '../lib/deliver-events';
import { savedDefinitions } from '../lib/definition-versions';
import { eachResumable } from '../lib/each-statement';
import { peopleMovedOnto } from '../lib/people-counts';
import { op } from '../lib/query';
import { activeModel } from '../lib/scoring-model-store';
import { taskQueueStats } from '../lib/task-queue-stats';
import { Account } from '../models/account';
import { Person } from '../models/person';

/**
 * Refreshes waiting for a background slot, per slot, beyond which the fan-out
 * wakes no more entities: a woken entity's workflow task, and later its
 * refresh's, go through the main queue, and a burst of them there delays live events.
 */
const QUEUED_PER_SLOT = 4;
/** The server's backlog count lags a little: it is read at most this often. */
const BACKLOG_READ_EVERY_MS = 500;

/** Where a retry resumes: a key among the accounts, or among the rest once every account was asked. */
type ResumePoint = string | { rest?: string };

/**
 * Asks every entity (each account, each person without one) to re-score with
 * the active model and re-evaluate the saved segments, through its own
 * workflow so each entity keeps one writer.
 * One signal per entity, paced by the background queue's backlog; a safe
 * resume point is heartbeated, so a retry skips only entities already signalled.
 * Finding the people no account document stands for reads every person (on the
 * embedded database a full decode: seconds at 10,000, under load), so the
 * accounts are asked while that read runs, and the rest after it.
 */
export function makeSignalRefreshAll(target: DeliveryTarget, backgroundSlots: number) {
  return async function signalRefreshAll(input: { version?: number; reason?: string }): Promise<{ entities: number; people: number }> {
    const [accounts, atLeast] = await Promise.all([Account.find({}, { _id: 1 }).lean(), savedDefinitions()]);
    const context = Context.current();
    const resumed = context.info.heartbeatDetails as ResumePoint | null | undefined;
    // A retry of an attempt that had asked every account already.
    const inRest = resumed !== null && typeof resumed === 'object' ? resumed : undefined;
    let resumeFrom = resumed ?? undefined;
    const roomInBackground = backlogGate({
      limit: QUEUED_PER_SLOT * backgroundSlots,
      everyMs: BACKLOG_READ_EVERY_MS,
      read: async () => (await taskQueueStats(target.client, backgroundQueue(target.taskQueue), 'activity'))?.backlog ?? null,
      // A wait is not a dead worker; a worker shutting down ends it (the retry resumes from resumeFrom).
      pause: (ms) => (context.heartbeat(resumeFrom), context.sleep(ms)),
    });
    const ask = (refs: EntityRef[], from: string | undefined, point: (key: string) => ResumePoint) =>
      eachResumable(refs, entityWorkflowId, from, (ref) => requestRefresh(target, ref, input.reason ?? `scoring model v${input.version}`, atLeast), (key) => context.heartbeat((resumeFrom = point(key))), roomInBackground);

    const accountRefs: EntityRef[] = accounts.map((a) => ({ kind: 'account', accountKey: a._id }));
    const [read, asked] = await Promise.allSettled([
      Person.find({ mergedInto: op({ $exists: false }) }, { _id: 1, accountKey: 1 }).lean().exec(),
      inRest ? undefined : ask(accountRefs, resumeFrom as string | undefined, (key) => key),
    ]);
    if (asked.status === 'rejected') throw asked.reason;
    if (read.status === 'rejected') throw read.reason;
    const people = read.value;

    const asAccounts = new Set(accountRefs.map(entityWorkflowId));
    const rest = new Map<string, EntityRef>();
    for (const p of people) {
      const ref = entityRefFor(p.accountKey, p._id);
      if (!asAccounts.has(entityWorkflowId(ref))) rest.set(entityWorkflowId(ref), ref);
    }
    context.heartbeat((resumeFrom = inRest ?? {}));
    await ask([...rest.values()], inRest?.rest, (key) => ({ rest: key }));
    return { entities: asAccounts.size + rest.size, people: people.length };
  };
}

/**
 * People moved onto this model version, as counted by the writes that moved
 * them: one read, where counting the people who carry it decodes each of them
 * on the embedded database (at 10,000 people, polled every 2 s, that was most
 * of the database's work during a re-score). It may fall short or run over, so
 * the re-score takes the exact tally when it says done or stops moving.
 */
export async function countRescored(input: { version: number }): Promise<number> {
  return peopleMovedOnto('scoreModelVersion', input.version);
}

/** What a re-score polls: the active model's version and the counted people moved onto this one. */
export async function rescoreStatus(input: { version: number }): Promise<{ activeVersion: number; rescored: number }> {
  const [active, rescored] = await Promise.all([activeModel(), countRescored(input)]);
  return { activeVersion: active.version, rescored };
}

/**
 * The exact state of a re-score over the people who exist now (merged ones no
 * longer do). Both counts scan everyone on the embedded database, so it is
 * taken only when the cheap count says done or stops moving.
 */
export async function tallyRescored(input: { version: number }): Promise<{ people: number; rescored: number }> {
  const live = { mergedInto: op({ $exists: false }) };
  const [people, rescored] = await Promise.all([Person.countDocuments(live), Person.countDocuments({ ...live, scoreModelVersion: input.version })]);
  return { people, rescored };
}
