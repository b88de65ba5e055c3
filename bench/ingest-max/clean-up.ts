// Everything the scenario wrote, so the next scenario in the run sees only its own.
// One equality at a time: `$in` is a full decode on the embedded database.
import { identityKey } from '../../domain/identity';
import { Account } from '../../models/account';
import { Identity } from '../../models/identity';
import { Interaction } from '../../models/interaction';
import { OutboundMessage } from '../../models/outbound-message';
import { PendingEvent } from '../../models/pending-event';
import { Person } from '../../models/person';
import { ScoreEvent } from '../../models/score-event';
import { forEachLimit } from '../scenario';
import type { SeedAccount } from './seed';

export async function cleanUp(accounts: SeedAccount[]): Promise<void> {
  await forEachLimit(accounts, 8, async (a) => {
    await Interaction.deleteMany({ accountKey: a.key });
    await PendingEvent.deleteMany({ workflowId: `account:${a.key}` });
    await ScoreEvent.deleteMany({ accountKey: a.key });
    await OutboundMessage.deleteMany({ accountKey: a.key });
    await Person.deleteMany({ accountKey: a.key });
    await Account.deleteOne({ _id: a.key });
  });
  await forEachLimit(accounts.flatMap((a) => a.people), 8, async (p) => void (await Identity.deleteOne({ _id: identityKey('email', p.email) })));
}
