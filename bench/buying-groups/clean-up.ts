// Everything the scenario wrote, so the next scenario in the run sees only its own.
import { identityKey } from '../../domain/identity';
import { Account } from '../../models/account';
import { BuyingGroup } from '../../models/buying-group';
import { Identity } from '../../models/identity';
import { OutboundMessage } from '../../models/outbound-message';
import { Person } from '../../models/person';
import { RoleTemplateDoc } from '../../models/role-template';
import { ScoreEvent } from '../../models/score-event';
import { forEachLimit } from '../scenario';
import { SeedAccount, TEMPLATE_KEY } from './seed';

/** One equality at a time: `$in` is a full decode on the embedded database. */
export async function cleanUp(accounts: SeedAccount[]): Promise<void> {
  await RoleTemplateDoc.deleteOne({ _id: TEMPLATE_KEY });
  await forEachLimit(accounts, 8, async (a) => {
    await BuyingGroup.deleteOne({ _id: a.groupId });
    await OutboundMessage.deleteOne({ _id: `buying_group.shared:${a.groupId}` });
    await ScoreEvent.deleteMany({ accountKey: a.key });
    await Person.deleteMany({ accountKey: a.key });
    await Account.deleteOne({ _id: a.key });
  });
  await forEachLimit(accounts.flatMap((a) => a.people), 8, async (p) => void (await Identity.deleteOne({ _id: identityKey('email', p.email) })));
}
