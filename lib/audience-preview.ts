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
  const { count, first } = tally(request.level === 'person' ? snapshot.personRows : snapshot.accountRows, matchFlags(snapshot, request, now));
  if (request.level === 'person') {
    const sample = first.map((id) => snapshot.people.get(id)!).map((p) => ({ personId: p.id, email: p.email ?? null, accountKey: p.accountKey ?? null }));
    return { count, sample };
  }
  return { count, sample: first.map((key) => ({ accountKey: key, name: snapshot.accounts.get(key)?.name ?? null })) };
}

/** Every match's id: person ids, or account keys for an account definition. */
export function matchingIds(snapshot: AudienceSnapshot, request: PreviewRequest, now: number): string[] {
  const rows = request.level === 'person' ? snapshot.personRows : snapshot.accountRows;
  const flags = matchFlags(snapshot, request, now);
  const ids: string[] = [];
  for (let r = 0; r < flags.length; r++) if (flags[r]) ids.push(rows.ids[r]!);
  return ids;
}

/** One flag per row of the level's rows. */
function matchFlags(snapshot: AudienceSnapshot, request: PreviewRequest, now: number): Uint8Array {
  if (request.level === 'person') return selectPeople(request.definition, snapshot.personRows, snapshot.performers, now);
  const level = {
    accounts: snapshot.accountRows,
    people: snapshot.personRows,
    performers: snapshot.performers,
    groupsOf: (key: string) => snapshot.groupsByAccount.get(key),
  };
  return selectAccounts(request.definition, level, now);
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
