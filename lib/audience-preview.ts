import { accountContext } from '../domain/entity-context';
import { narrowAccounts, narrowPeople } from '../domain/segments/narrow';
import type { AccountDefinition, PersonDefinition } from '../domain/segments/definition';
import { matchAccount, matchPerson } from '../domain/segments/evaluate';
import type { AudienceSnapshot } from './audience-snapshot';

const SAMPLE_SIZE = 10;

export type PreviewRequest = { level: 'person'; definition: PersonDefinition } | { level: 'account'; definition: AccountDefinition };

export interface Preview {
  count: number;
  sample: Record<string, unknown>[];
}

/**
 * Counts a definition's matches in the snapshot, with the first few as a
 * sample. Its `performed` parts are answered from the index of events
 * (domain/segments/narrow); whoever they leave is evaluated in full, and
 * everyone only when they leave nobody out.
 */
export function previewAudience(snapshot: AudienceSnapshot, request: PreviewRequest, now: number): Preview {
  const sample: Record<string, unknown>[] = [];
  let count = 0;
  if (request.level === 'person') {
    const narrowed = narrowPeople(request.definition, snapshot.performers, now);
    for (const p of narrowed ? pick(snapshot.people, narrowed.ids) : snapshot.people.values()) {
      if (!narrowed?.exact && !matchPerson(request.definition, p.facts, now).match) continue;
      if (++count <= SAMPLE_SIZE) sample.push({ personId: p.id, email: p.email ?? null, accountKey: p.accountKey ?? null });
    }
    return { count, sample };
  }
  const narrowed = narrowAccounts(request.definition, snapshot.performers, (id) => snapshot.people.get(id)?.accountKey, now);
  for (const key of narrowed?.ids ?? snapshot.accounts.keys()) {
    const account = snapshot.accounts.get(key);
    if (!account) continue;
    if (!narrowed?.exact && !accountMatches(snapshot, request.definition, key, account, now)) continue;
    if (++count <= SAMPLE_SIZE) sample.push({ accountKey: key, name: account.name ?? null });
  }
  return { count, sample };
}

function accountMatches(snapshot: AudienceSnapshot, d: AccountDefinition, key: string, account: Record<string, unknown>, now: number): boolean {
  const people = [...(snapshot.peopleByAccount.get(key)?.values() ?? [])].map((p) => p.facts);
  return matchAccount(d, { account: accountContext({ _id: key, ...account })!, people, buyingGroups: snapshot.groupsByAccount.get(key) }, now).match;
}

function* pick<T>(all: ReadonlyMap<string, T>, ids: Iterable<string>): Iterable<T> {
  for (const id of ids) {
    const found = all.get(id);
    if (found) yield found;
  }
}
