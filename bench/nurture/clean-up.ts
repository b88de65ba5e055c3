// Everything the scenario wrote in the database, so the next scenario in the
// run sees only its own. The workflows are not ended one by one: the sleeping
// ones would not wake for about 22 hours, the casting ones are still working
// through their backlog. They end with the embedded Temporal server (or the
// stack's stop terminates what it can on a shared one, stack.ts); one that
// runs on meanwhile finds its stream gone and leaves ('stream deleted').
import { EmailTemplate } from '../../models/email-template';
import { NurtureEnrolment } from '../../models/nurture-enrolment';
import { NurtureStream } from '../../models/nurture-stream';
import { OutboundMessage } from '../../models/outbound-message';
import { SubscriptionTopic } from '../../models/subscription-topic';
import { Account } from '../../models/account';
import { Identity } from '../../models/identity';
import { Person } from '../../models/person';
import { forEachLimit } from '../scenario';
import { TEMPLATE, TOPIC } from './seed';

export interface Written {
  accountKeys: string[];
  /** The accounts whose people were cast to: only they have outbound messages. */
  castAccountKeys: string[];
  streamIds: string[];
}

/** One equality per statement: `$in` is a full decode on the embedded database. */
export async function cleanUp(w: Written): Promise<void> {
  await forEachLimit(w.castAccountKeys, 4, async (accountKey) => void (await OutboundMessage.deleteMany({ accountKey })));
  await EmailTemplate.deleteOne({ _id: TEMPLATE });
  await SubscriptionTopic.deleteOne({ _id: TOPIC });
  await forEachLimit(w.accountKeys, 4, async (accountKey) => {
    // An account's enrolments at a time: FerretDB deletes with one parameter a document, 65,535 at most.
    for (const streamId of w.streamIds) await NurtureEnrolment.deleteMany({ streamId, accountKey });
    await Person.deleteMany({ accountKey });
    await Identity.deleteMany({ accountKey });
    await Account.deleteOne({ _id: accountKey });
  });
  for (const streamId of w.streamIds) await NurtureStream.deleteOne({ _id: streamId });
}
