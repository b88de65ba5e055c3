import { AccountDefinition, isPeople, isPerformed, Performed, PersonDefinition } from './definition';
import { performedWhere, timeOf, windowOf } from './evaluate';
import type { PerformerIndex } from './performers';

/**
 * Whom a definition can match, found from its `performed` parts through the
 * index: `exact` when these are its matches, otherwise at most these (each
 * still to be evaluated); undefined when only looking at everyone tells.
 */
export type Narrowed = { ids: ReadonlySet<string>; exact: boolean } | undefined;

/** Field conditions and `not` narrow nothing; `performed` is answered from the events of its type in its window. */
export function narrowPeople(d: PersonDefinition, performers: PerformerIndex, now: number): Narrowed {
  if ('all' in d) return intersect(d.all.map((x) => narrowPeople(x, performers, now)));
  if ('any' in d) return union(d.any.map((x) => narrowPeople(x, performers, now)));
  if (isPerformed(d)) return { ids: performedBy(d, performers, now), exact: true };
  return undefined;
}

/** The accounts with at least minCount of the people a `people` part finds (each of those people is in one account). */
export function narrowAccounts(d: AccountDefinition, performers: PerformerIndex, accountOf: (personId: string) => string | undefined, now: number): Narrowed {
  if ('all' in d) return intersect(d.all.map((x) => narrowAccounts(x, performers, accountOf, now)));
  if ('any' in d) return union(d.any.map((x) => narrowAccounts(x, performers, accountOf, now)));
  if (!isPeople(d)) return undefined;
  const people = narrowPeople(d.people, performers, now);
  if (!people) return undefined;
  const counts = new Map<string, number>();
  for (const id of people.ids) {
    const key = accountOf(id);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  // Of candidates only, any one of them may be the account's match.
  const least = people.exact ? (d.minCount ?? 1) : 1;
  return { ids: new Set([...counts].flatMap(([key, n]) => (n >= least ? [key] : []))), exact: people.exact };
}

/** The people with at least minCount such events in (now - within, now], as matchPerson counts them. */
function performedBy(d: Performed, performers: PerformerIndex, now: number): Set<string> {
  const from = now - windowOf(d.within);
  const counts = new Map<string, number>();
  performers.forEach(d.performed, from, now, (id, facts, e) => {
    const t = timeOf(e);
    if (t > from && t <= now && performedWhere(d, e, facts)) counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  const least = d.minCount ?? 1;
  return new Set([...counts].flatMap(([id, n]) => (n >= least ? [id] : [])));
}

/** All parts must hold: within the smallest known set; exact when every part is. */
function intersect(parts: Narrowed[]): Narrowed {
  const known = parts.filter((p) => p !== undefined).sort((a, b) => a.ids.size - b.ids.size);
  if (!known.length) return undefined;
  const [smallest, ...rest] = known;
  const ids = new Set([...smallest.ids].filter((id) => rest.every((p) => p.ids.has(id))));
  return { ids, exact: known.length === parts.length && known.every((p) => p.exact) };
}

/** One part must hold: known only when every part is. */
function union(parts: Narrowed[]): Narrowed {
  if (parts.some((p) => p === undefined)) return undefined;
  const ids = new Set<string>();
  for (const p of parts) for (const id of p!.ids) ids.add(id);
  return { ids, exact: parts.every((p) => p!.exact) };
}
