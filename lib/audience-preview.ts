import type { AccountDefinition, PersonDefinition } from '../domain/segments/definition';
import type { Rows } from '../domain/segments/rows';
import { selectAccounts, selectPeople } from '../domain/segments/select';
import type { AudienceSnapshot } from './audience-snapshot';

const SAMPLE_SIZE = 10;

export type PreviewRequest = { level: 'person'; definition: PersonDefinition } | { level: 'account'; definition: AccountDefinition };

export interface Preview {
  count: number;
  sample: Record<string, unknown>[];
}

/** Counts a definition's matches in the snapshot, everyone at once (domain/segments/select), with the first few as a sample. */
export function previewAudience(snapshot: AudienceSnapshot, request: PreviewRequest, now: number): Preview {
  if (request.level === 'person') {
    const { count, first } = tally(snapshot.personRows, selectPeople(request.definition, snapshot.personRows, snapshot.performers, now));
    const sample = first.map((id) => snapshot.people.get(id)!).map((p) => ({ personId: p.id, email: p.email ?? null, accountKey: p.accountKey ?? null }));
    return { count, sample };
  }
  const level = {
    accounts: snapshot.accountRows,
    people: snapshot.personRows,
    performers: snapshot.performers,
    groupsOf: (key: string) => snapshot.groupsByAccount.get(key),
  };
  const { count, first } = tally(snapshot.accountRows, selectAccounts(request.definition, level, now));
  return { count, sample: first.map((key) => ({ accountKey: key, name: snapshot.accounts.get(key)?.name ?? null })) };
}

function tally(rows: Rows, flags: Uint8Array): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (let r = 0; r < flags.length; r++) {
    if (!flags[r]) continue;
    if (++count <= SAMPLE_SIZE) first.push(rows.ids[r]!);
  }
  return { count, first };
}
