import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, sleep, upsertSearchAttributes, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Position } from '../domain/nurture/position';
import { NurtureStage, NurtureStatus } from '../domain/search-attributes';
import { newContentSignal, nurtureStateQuery, pauseSignal, recheckSignal, resumeSignal, stopSignal, type NurtureState, type StatusChange } from './nurture-messages';

export interface NurtureInput {
  streamId: string;
  personId: string;
  accountKey?: string;
  /** How activity summaries name the person ("cast 3: S2C1 to Eve"). */
  label: string;
  /** The stream's status and its `statusSeq` when this run last heard of it. */
  status: 'active' | 'paused' | 'stopped';
  seq: number;
  /** When the next cast is due (epoch ms). */
  nextCastAt: number;
  /** Carried over a continue-as-new. */
  after?: Position;
  casts?: number;
  exhausted?: boolean;
  newContent?: boolean;
  /** History length after which a run continues as new (from config; tests set it low). */
  historyLimit?: number;
}

const CONTINUE_AFTER_EVENTS = 5000;
/** How long a cast's email is watched for a deferral (1 + 2 + 4 + 8 s): the dispatcher settles it within a batch or two. */
const OUTCOME_POLLS = [1000, 2000, 4000, 8000];
/**
 * Past those, an email still pending (its batch's worker died; the batch is
 * retried a minute later) is looked at every 30 s until it settles, so the
 * next campaign never overtakes it.
 */
const PENDING_POLL = 30_000;
const WAITS_FOR_ITS_EMAIL = 'nurture-cast-waits-for-its-email';

const OPTIONS: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumInterval: '30 seconds' } };
const { planNurtureCast, checkNurtureLeave, castNurtureCampaign, nurtureCastOutcome, leaveNurture } = proxyActivities<Activities>(OPTIONS);

/**
 * One person on one nurture stream: sleeps until the next cast, casts one
 * campaign and moves on. The stream's definition is read at every cast (a
 * running stream only grows), so appended campaigns reach everyone; an
 * exhausted person waits for the `newContent` signal. A cast the email caps or
 * send window defer moves the person's next cast after it.
 */
export async function nurtureWorkflow(input: NurtureInput): Promise<{ left: string }> {
  const { streamId, personId, label } = input;
  let status = input.status;
  let seq = input.seq;
  let nextCastAt = input.nextCastAt;
  let after = input.after;
  let casts = input.casts ?? 0;
  let exhausted = input.exhausted ?? false;
  let newContent = input.newContent ?? false;
  const historyLimit = input.historyLimit ?? CONTINUE_AFTER_EVENTS;

  const steer = (to: typeof status) => (change: StatusChange) => {
    if (change.seq <= seq) return;
    seq = change.seq;
    status = to;
  };
  setHandler(pauseSignal, steer('paused'));
  setHandler(resumeSignal, steer('active'));
  setHandler(stopSignal, steer('stopped'));
  setHandler(newContentSignal, () => void (newContent = true));
  let recheck = false;
  setHandler(recheckSignal, () => void (recheck = true));
  const shown = (): NurtureState['status'] => (status === 'paused' ? 'paused' : exhausted ? 'exhausted' : 'active');
  setHandler(nurtureStateQuery, () => ({ status: shown(), after, casts, nextCastAt: new Date(nextCastAt).toISOString() }));

  // Upserted when they change only: each upsert is a history event.
  let showing = '';
  const show = () => {
    const stage = after ? after.stage + 1 : 0;
    if (showing === `${stage}:${shown()}`) return;
    showing = `${stage}:${shown()}`;
    upsertSearchAttributes([{ key: NurtureStage, value: stage }, { key: NurtureStatus, value: shown() }]);
  };
  const leave = async (reason: string) => {
    upsertSearchAttributes([{ key: NurtureStatus, value: 'exited' }]);
    await condition(allHandlersFinished);
    return { left: reason };
  };

  for (;;) {
    show();
    if (status === 'stopped') {
      await leaveNurture({ streamId, personId, reason: 'stream stopped' });
      return leave('stream stopped');
    }
    if (status === 'paused') {
      await condition(() => status !== 'paused');
      continue;
    }
    if (recheck) {
      recheck = false;
      const { leave: reason } = await checkNurtureLeave.executeWithOptions({ ...OPTIONS, summary: `does ${label} stay?` }, [{ streamId, personId, after }]);
      if (reason) return leave(reason);
    }
    if (exhausted) {
      await condition(() => newContent || recheck || status !== 'active');
      if (!newContent) continue;
      exhausted = false;
      show();
    }
    // Asleep until the cast is due; a pause, a stop or a recheck wakes it.
    const wait = nextCastAt - Date.now();
    if (wait > 0 && (await condition(() => status !== 'active' || recheck, wait))) continue;

    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof nurtureWorkflow>({ ...input, status, seq, nextCastAt, after, casts, exhausted, newContent });
    }

    // Content appended from here on is seen by this plan or wakes the next wait.
    newContent = false;
    const { stream, plan } = await planNurtureCast.executeWithOptions({ ...OPTIONS, summary: `next campaign for ${label}` }, [{ streamId, personId, after }]);
    steer(stream.status)(stream);
    if (plan.kind === 'hold') continue;
    if (plan.kind === 'leave') return leave(plan.reason);
    if (plan.kind === 'exhausted') {
      exhausted = true;
      continue;
    }

    casts += 1;
    const { messageId, castAt } = await castNurtureCampaign.executeWithOptions({ ...OPTIONS, summary: `cast ${casts}: ${plan.campaign.id} to ${label}` }, [
      { streamId, personId, accountKey: input.accountKey, stage: plan.stage, campaign: plan.campaign, casts },
    ]);
    after = plan.position;
    show();
    // The next cast counts from when this one really goes: a deferred email moves it.
    for (let poll = 0; ; poll++) {
      const final = poll >= OUTCOME_POLLS.length && !patched(WAITS_FOR_ITS_EMAIL);
      const outcome = await nurtureCastOutcome.executeWithOptions({ ...OPTIONS, summary: `outcome of cast ${casts}` }, [{ streamId, personId, messageId, castAt, after, final }]);
      if (outcome.nextCastAt !== undefined) {
        nextCastAt = outcome.nextCastAt;
        break;
      }
      await sleep(OUTCOME_POLLS[poll] ?? PENDING_POLL);
    }
  }
}
