import { personFacts } from '../domain/entity-context';
import type { ScoredEvent } from '../domain/scoring/evaluate';
import type { BuyingGroupFacts, PersonFacts } from '../domain/segments/evaluate';
import { BuyingGroup } from '../models/buying-group';
import { Account } from '../models/account';
import { Person } from '../models/person';

export interface SnapshotPerson {
  id: string;
  email?: string;
  accountKey?: string;
  facts: PersonFacts;
}

export interface AudienceSnapshot {
  asOf: Date;
  loadedMs: number;
  people: SnapshotPerson[];
  accounts: Map<string, Record<string, unknown>>;
  peopleByAccount: Map<string, SnapshotPerson[]>;
  groupsByAccount: Map<string, BuyingGroupFacts[]>;
}

/** A snapshot older than this is reloaded in the background; previews meanwhile use the one they have. */
const REFRESH_AFTER_MS = 30_000;

let current: AudienceSnapshot | undefined;
let loading: Promise<AudienceSnapshot> | undefined;

/**
 * Everyone's segment-relevant state in this process's memory: a preview
 * evaluates definitions here while a marketer types, instead of asking the
 * database to decode every person per keystroke (the embedded database pushes
 * no range or `$or` filter down). Loaded on the first preview, refreshed in the
 * background. Saved segments never use it: their membership is exact and kept
 * by the entity workflows.
 */
export async function audienceSnapshot(opts: { fresh?: boolean; onError: (err: unknown) => void }): Promise<AudienceSnapshot> {
  const onError = opts.onError;
  if (opts.fresh) await loading?.catch(() => undefined);
  if (!current || opts.fresh) return (loading ??= load().finally(() => (loading = undefined)));
  if (Date.now() - current.asOf.getTime() > REFRESH_AFTER_MS && !loading) {
    loading = load().finally(() => (loading = undefined));
    loading.catch(onError);
  }
  return current;
}

async function load(): Promise<AudienceSnapshot> {
  const started = Date.now();
  const asOf = new Date();
  const accounts = new Map<string, Record<string, unknown>>();
  for await (const a of Account.find({}, { score: 0, engagement: 0, recentlyActiveContacts: 0, topInterests: 0, activity: 0 }).lean().cursor({ batchSize: 1000 })) {
    accounts.set(a._id, a);
  }
  const people: SnapshotPerson[] = [];
  const peopleByAccount = new Map<string, SnapshotPerson[]>();
  const projection = { summary: 0, activity: 0, 'score.breakdown': 0 };
  for await (const p of Person.find({}, projection).lean().cursor({ batchSize: 1000 })) {
    if (p.mergedInto) continue;
    const account = p.accountKey ? accounts.get(p.accountKey) : undefined;
    const person: SnapshotPerson = {
      id: p._id,
      email: p.email ?? undefined,
      accountKey: p.accountKey ?? undefined,
      facts: personFacts(p, account, (p.recentEvents ?? []) as ScoredEvent[], p.score ?? { total: 0, status: 'nurture' }),
    };
    people.push(person);
    if (!person.accountKey) continue;
    const colleagues = peopleByAccount.get(person.accountKey);
    if (colleagues) colleagues.push(person);
    else peopleByAccount.set(person.accountKey, [person]);
  }
  const groupsByAccount = new Map<string, BuyingGroupFacts[]>();
  for await (const g of BuyingGroup.find({}, { accountKey: 1, solutionInterest: 1, status: 1, missingRoles: 1 }).lean().cursor({ batchSize: 1000 })) {
    const facts = { solutionInterest: g.solutionInterest, complete: g.status !== 'incomplete', missingRoles: g.missingRoles ?? [] };
    groupsByAccount.set(g.accountKey, [...(groupsByAccount.get(g.accountKey) ?? []), facts]);
  }
  current = { asOf, loadedMs: Date.now() - started, people, accounts, peopleByAccount, groupsByAccount };
  return current;
}
