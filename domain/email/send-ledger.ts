/** A marketing email to a person, sent or about to be: its message id and when (epoch ms). */
export interface LedgerEntry {
  m: string;
  at: number;
}

/** The caps look back a week at most: older entries count for nothing. */
export const LEDGER_SPAN_MS = 7 * 86_400_000;

/**
 * The send times the caps count for one person: the sent marketing email the
 * batch read, and the ledger's entries not among them (a send reserved by a
 * batch running beside this one, or settled after this batch read).
 */
export function countedSends(sent: readonly LedgerEntry[], ledger: readonly LedgerEntry[]): number[] {
  const read = new Set(sent.map((s) => s.m));
  return [...sent.map((s) => s.at), ...ledger.filter((e) => !read.has(e.m)).map((e) => e.at)];
}

/** The entries still worth keeping at `now`. */
export const recentEntries = (ledger: readonly LedgerEntry[], now: number) => ledger.filter((e) => e.at > now - LEDGER_SPAN_MS);
