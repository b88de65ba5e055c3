import { continueAsNew, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';

const PAGES_PER_RUN = 200;
const OPTIONS: ActivityOptions = { startToCloseTimeout: '5 minutes', retry: { initialInterval: '1 second', maximumInterval: '30 seconds' } };
const { enrolNurtureSegmentPage } = proxyActivities<Activities>(OPTIONS);

/**
 * Enrols the members of a stream's entry segment when it is activated, page by
 * page outside the HTTP request; a crashed worker resumes at its page, and a
 * person enrolled twice is enrolled once.
 */
export async function nurtureSegmentEntryWorkflow(input: { streamId: string; offset: number }): Promise<void> {
  let offset = input.offset;
  for (let pages = 0; ; pages++) {
    if (pages >= PAGES_PER_RUN) return continueAsNew<typeof nurtureSegmentEntryWorkflow>({ ...input, offset });
    const { next } = await enrolNurtureSegmentPage.executeWithOptions({ ...OPTIONS, summary: `segment members from ${offset + 1}` }, [{ ...input, offset }]);
    if (next === undefined) return;
    offset = next;
  }
}
