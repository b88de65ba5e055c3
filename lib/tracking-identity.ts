import { Identifiers, identityKey, identityKeys } from '../domain/identity';
import { crmConflict } from '../domain/merge';
import { identityRuns } from '../domain/tracking/runs';
import type { TrackingOp } from '../domain/tracking/operations';
import { Identity } from '../models/identity';
import { Person } from '../models/person';
import { findEach } from './each-statement';
import { ResolvedPerson, resolvePeople } from './identity-store';
import { mergePeople } from './merge-people';

type PersonOp = Exclude<TrackingOp, { kind: 'alias' }>;
type AliasOp = Extract<TrackingOp, { kind: 'alias' }>;

/** The person each message is about (by its place in `ops`), after every join of the batch. */
export type Resolution = (ResolvedPerson | undefined)[];

/**
 * alias: `previousId` (an anonymous id, or an older user id) is merged into
 * the person of `userId`, who survives. Two people with different crmIds are
 * never merged: that message is refused.
 */
async function resolveAlias(op: AliasOp): Promise<ResolvedPerson> {
  const previous = await Identity.findOne({ _id: identityKey('userId', op.previousId) }, { personId: 1 }).lean();
  if (!previous) {
    // An anonymous visitor: joined like any claim, and the user id is the more trusted identifier.
    const [joined] = await resolvePeople([{ ids: { userId: op.userId, anonymousId: op.previousId } }]);
    return joined;
  }
  const [kept] = await resolvePeople([{ ids: { userId: op.userId } }]);
  if (kept.personId === previous.personId) return kept;
  const crmIds = await findEach([kept.personId, previous.personId], (personId) => Identity.find({ personId, kind: 'crmId' }, { value: 1 }).lean());
  if (crmConflict(crmIds.map((c) => c.value))) return { ...kept, error: 'previousId and userId belong to people with different crmIds; merge them in the CRM first' };
  await mergePeople(kept.personId, [previous.personId], 'alias', [identityKey('userId', op.userId), identityKey('userId', op.previousId)]);
  return { ...kept, merged: [previous.personId] };
}

const claimOf = (op: PersonOp): { ids: Identifiers; accountKey?: string } => ({ ids: op.ids, ...(op.accountKey ? { accountKey: op.accountKey } : {}) });

/**
 * Resolves every message's person in message order: runs of messages that
 * cannot affect each other are resolved together (one read per identifier),
 * and a message that joins identifiers an earlier one named waits for it, so
 * an anonymous visit followed by an identify lands on the known person.
 * People merged later in the batch are replaced by whom they were merged into.
 */
export async function resolveInOrder(ops: readonly TrackingOp[]): Promise<Resolution> {
  const resolution: Resolution = new Array(ops.length);
  const runs = identityRuns(ops.map((op) => (op.kind === 'alias' ? { keys: [], alone: true } : { keys: identityKeys(op.ids) })));
  for (const run of runs) {
    const first = ops[run[0]];
    if (first.kind === 'alias') {
      resolution[run[0]] = await resolveAlias(first);
      continue;
    }
    const people = await resolvePeople(run.map((i) => claimOf(ops[i] as PersonOp)));
    run.forEach((i, k) => (resolution[i] = people[k]));
  }
  await followMerges(ops, resolution);
  return resolution;
}

/** A person merged by a later message of the batch: the message is about the survivor now, on the survivor's account. */
async function followMerges(ops: readonly TrackingOp[], resolution: Resolution): Promise<void> {
  const into = new Map<string, string>();
  for (const r of resolution) for (const loser of r?.merged ?? []) into.set(loser, r!.personId);
  if (!into.size) return;
  const survivorOf = (id: string) => {
    for (let hops = 0; into.has(id) && hops < 10; hops++) id = into.get(id)!;
    return id;
  };
  const accounts = new Map<string, string | undefined>();
  for (const [i, r] of resolution.entries()) {
    if (!r || r.error || !into.has(r.personId)) continue;
    const personId = survivorOf(r.personId);
    if (!accounts.has(personId)) accounts.set(personId, (await Person.findOne({ _id: personId }, { accountKey: 1 }).lean())?.accountKey ?? undefined);
    const linked = accounts.get(personId);
    const op = ops[i];
    const named = op.kind === 'alias' ? undefined : op.accountKey;
    resolution[i] = { personId, accountKey: named ?? linked, linkedAccountKey: linked, created: false, merged: [] };
  }
}
