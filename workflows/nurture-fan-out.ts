import { continueAsNew, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FanOutInput } from '../activities/nurture-fan-out';

const PAGES_PER_RUN = 200;
const OPTIONS: ActivityOptions = { startToCloseTimeout: '5 minutes', retry: { initialInterval: '1 second', maximumInterval: '30 seconds' } };
const { signalNurtureEnrolments } = proxyActivities<Activities>(OPTIONS);

/**
 * Tells every person on a stream of a change (pause, resume, stop, new
 * content), page by page outside the HTTP request; a crashed worker resumes at
 * its page, and a signal received twice changes nothing.
 */
export async function nurtureFanOutWorkflow(input: FanOutInput): Promise<void> {
  let offset = input.offset;
  for (let pages = 0; ; pages++) {
    if (pages >= PAGES_PER_RUN) return continueAsNew<typeof nurtureFanOutWorkflow>({ ...input, offset });
    const { next } = await signalNurtureEnrolments.executeWithOptions({ ...OPTIONS, summary: `${input.signal} to enrolments from ${offset + 1}` }, [{ ...input, offset }]);
    if (next === undefined) return;
    offset = next;
  }
}
