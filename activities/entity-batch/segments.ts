import { cacheRead, type DefinitionNeeds } from '../../domain/definition-versions';
import { accountContext } from '../../domain/entity-context';
import { evaluateMemberships, type Memberships } from '../../domain/segments/membership';
import type { NewMessage } from '../../lib/deliveries';
import { refreshAccountGroups } from '../buying-group-refresh';
import type { EntityBatch } from './read';
import { contactsOf, groupCandidates, type Scores } from './score';

/**
 * The account's buying groups, set up again from its re-scored contacts (the
 * groups are the account's own documents), then every saved segment judged
 * for the people and the account: who is in, who entered, who left.
 */
export async function judgeGroupsAndSegments(batch: EntityBatch, scores: Scores, needs: DefinitionNeeds, deliver: (messages: NewMessage[]) => Promise<unknown>): Promise<Memberships> {
  const { entity, account, now } = batch;
  const colleagues = entity.kind === 'account' ? contactsOf(scores, entity.accountKey) : [];
  const buyingGroups = entity.kind === 'account' ? await refreshAccountGroups(entity.accountKey, groupCandidates(colleagues), new Date(now), cacheRead(needs, 'templates'), deliver) : [];
  const members = scores.people.map(({ p, facts }) => ({ id: p._id, facts, current: p.segments ?? [], judgedAt: p.segmentsRevision }));
  const accountMember =
    entity.kind === 'account'
      ? { id: entity.accountKey, facts: { account: accountContext(account) ?? { key: entity.accountKey }, people: colleagues.map((x) => x.facts), buyingGroups }, current: account?.segments ?? [], judgedAt: account?.segmentsRevision }
      : undefined;
  return evaluateMemberships(batch.segments.segments, members, accountMember, now);
}
