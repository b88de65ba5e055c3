// The stream's enrolments at one moment, as the workflows recorded them: how
// many in each status, how many casts each has had, and how many are overdue
// (their next cast was due and has not gone out): the backlog the worker left.
import { NurtureEnrolment } from '../../models/nurture-enrolment';
import { within } from '../scenario';
import { round, summarize } from '../stats';

export async function enrolmentState(streamId: string) {
  const now = Date.now();
  const docs = await within(NurtureEnrolment.find({ streamId }, { status: 1, casts: 1, nextCastAt: 1, lastCastAt: 1 }).lean(), 120000, 'reading the enrolments');
  const byStatus: Record<string, number> = {};
  for (const e of docs) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
  // Due and not cast since: a person whose last cast still waits for its email's outcome has no new due time yet.
  const overdueS = docs.flatMap((e) => {
    const due = e.nextCastAt?.getTime();
    return e.status === 'active' && due !== undefined && due < now && (e.lastCastAt?.getTime() ?? 0) < due ? [(now - due) / 1000] : [];
  });
  return {
    enrolments: docs.length,
    byStatus,
    castsPerPerson: summarize(docs.map((e) => e.casts ?? 0)),
    /** Active people whose next cast was due before now and has not been cast. */
    overdue: overdueS.length,
    overdueBySeconds: summarize(overdueS.map(round)),
  };
}
