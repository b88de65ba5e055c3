// Everything the scenario wrote, so the next scenario in the run sees only its own.
import { identityKey } from '../../domain/identity';
import { Account } from '../../models/account';
import { Identity } from '../../models/identity';
import { Interaction } from '../../models/interaction';
import { Journey, JourneyInstance, JourneyVersion } from '../../models/journey';
import { JourneyJob, JourneyJobChunk, JourneyJobTargets } from '../../models/journey-job';
import { OutboundMessage } from '../../models/outbound-message';
import { PendingEvent } from '../../models/pending-event';
import { Person } from '../../models/person';
import { ScoreEvent } from '../../models/score-event';
import { journeyWorkflowId } from '../../workflows/journey-messages';
import { forEachLimit } from '../scenario';
import type { SeedAccount } from './accounts';

export interface Written {
  accounts: SeedAccount[];
  /** Each journey with the accounts launched on it. */
  journeys: { id: string; accounts: SeedAccount[] }[];
  eventIds: string[];
  /** The accounts that had events: only they have score events and outbound messages. */
  eventAccountKeys: string[];
}

/** One equality at a time: `$in` is a full decode on the embedded database. */
export async function cleanUp(w: Written): Promise<void> {
  await forEachLimit(w.eventIds, 8, async (_id) => {
    await PendingEvent.deleteOne({ _id });
    await Interaction.deleteOne({ _id });
  });
  await forEachLimit(w.eventAccountKeys, 8, async (accountKey) => {
    await ScoreEvent.deleteMany({ accountKey });
    await OutboundMessage.deleteMany({ accountKey });
  });
  for (const j of w.journeys) await forEachLimit(j.accounts, 8, async (a) => void (await JourneyInstance.deleteOne({ _id: journeyWorkflowId(j.id, a.key) })));
  for (const j of w.journeys) await removeJobs(j.id);
  for (const j of w.journeys) {
    await JourneyVersion.deleteOne({ _id: `${j.id}:v1` });
    await Journey.deleteOne({ _id: j.id });
  }
  await forEachLimit(w.accounts, 8, async (a) => {
    await Identity.deleteOne({ _id: identityKey('email', a.email) });
    await Person.deleteOne({ _id: a.personId });
    await Account.deleteOne({ _id: a.key });
  });
}

/** A journey's launch and steering jobs, with their targets and chunk results. */
export async function removeJobs(journeyId: string): Promise<void> {
  for (const job of await JourneyJob.find({ journeyId }, { _id: 1 }).lean()) {
    await JourneyJobTargets.deleteMany({ jobId: job._id });
    await JourneyJobChunk.deleteMany({ jobId: job._id });
    await JourneyJob.deleteOne({ _id: job._id });
  }
}
