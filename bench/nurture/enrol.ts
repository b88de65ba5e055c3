// Enrolment through the public API, as a marketer's tool would do it:
// POST /v1/nurture-streams/:id/enroll in pages, a few requests at a time, until
// everyone is on the stream or a deadline passes (then the pages in flight
// finish and no more start: what was reached is reported, not hidden).
import { forEachLimit } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';

/** People per request (the API takes up to 1,000; a smaller page stays well inside the bench's two-minute request timeout on a loaded machine). */
export const PAGE = 500;
/** Requests in flight: the API's statements share one pool of 16 in the process, so more would only queue. */
const IN_FLIGHT = 2;
/** A page that failed (a timeout, a 5xx) is sent once more: the API starts what an earlier attempt recorded but did not start. */
const ATTEMPTS = 2;

export interface Enrolled {
  requested: number;
  enrolled: number;
  alreadyEnrolled: number;
  unknown: number;
  /** Pages not sent because the deadline had passed. */
  pagesNotSent: number;
  failedPages: number;
  errors: string[];
  ms: number;
  perSecond: number;
  answerMs: ReturnType<typeof summarize>;
  complete: boolean;
}

export async function enrolByApi(stack: BenchStack, streamId: string, personIds: string[], opts: { deadline: number; what: string; log: (line: string) => void }): Promise<Enrolled> {
  const pages = Array.from({ length: Math.ceil(personIds.length / PAGE) }, (_, i) => personIds.slice(i * PAGE, (i + 1) * PAGE));
  const answers: number[] = [];
  const errors: string[] = [];
  let [enrolled, alreadyEnrolled, unknown, pagesNotSent, failedPages] = [0, 0, 0, 0, 0];
  let lastLogged = 0;
  const start = Date.now();
  await forEachLimit(pages, IN_FLIGHT, async (page) => {
    if (Date.now() > opts.deadline) return void pagesNotSent++;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const t = Date.now();
      try {
        const res = await stack.api('POST', `/v1/nurture-streams/${streamId}/enroll`, { personIds: page });
        if (res.status !== 200) throw new Error(`HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        answers.push(Date.now() - t);
        enrolled += res.body.enrolled.length;
        alreadyEnrolled += res.body.alreadyEnrolled.length;
        unknown += res.body.unknown.length;
        break;
      } catch (err) {
        if (errors.length < 10) errors.push((err as Error).message.slice(0, 300));
        if (attempt === ATTEMPTS) failedPages++;
      }
    }
    if (Date.now() - lastLogged > 30000) {
      lastLogged = Date.now();
      opts.log(`nurture: ${opts.what}: ${enrolled + alreadyEnrolled}/${personIds.length} enrolled after ${((Date.now() - start) / 1000).toFixed(0)} s`);
    }
  });
  const ms = Date.now() - start;
  return {
    requested: personIds.length,
    enrolled,
    alreadyEnrolled,
    unknown,
    pagesNotSent,
    failedPages,
    errors,
    ms,
    perSecond: ratePerSecond(enrolled, ms),
    answerMs: summarize(answers),
    complete: pagesNotSent === 0 && failedPages === 0 && enrolled + alreadyEnrolled === personIds.length,
  };
}
