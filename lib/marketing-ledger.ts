import { countedSends, recentEntries, type LedgerEntry } from '../domain/email/send-ledger';
import { MarketingLedger } from '../models/marketing-ledger';
import { isDuplicateKey } from './mongo-errors';

type Decide = (sentAt: number[]) => { at: number; reason?: string };

/** Writes the person's ledger if nobody wrote it since it was read at version `v` (absent: never written). */
async function swap(personId: string, v: number | undefined, sends: LedgerEntry[]): Promise<boolean> {
  if (v === undefined) {
    try {
      await MarketingLedger.create({ _id: personId, v: 0, sends });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
  return (await MarketingLedger.updateOne({ _id: personId, v }, { $set: { v: v + 1, sends } })).matchedCount === 1;
}

/**
 * Takes a place for this marketing email under the person's caps, or says
 * when it may go: `decide` judges the sends counted (those the batch read and
 * those reserved in the ledger), and the place is written only if nobody took
 * one meanwhile, else judged again. An attempt retried after its worker died
 * finds its place kept.
 */
export async function reserveMarketingSend(personId: string, messageId: string, now: number, sent: readonly LedgerEntry[], decide: Decide): Promise<{ deferredTo?: { at: number; reason?: string } }> {
  for (;;) {
    const doc = await MarketingLedger.findOne({ _id: personId }).lean();
    const kept = recentEntries(doc?.sends ?? [], now);
    if (kept.some((e) => e.m === messageId)) return {};
    const next = decide(countedSends(sent, kept));
    if (next.at > now + 1000) return { deferredTo: next };
    if (await swap(personId, doc?.v, [...kept, { m: messageId, at: now }])) return {};
  }
}

/** Gives back the place of an email that did not go (failed, or held back at the last moment). */
export async function releaseMarketingSend(personId: string, messageId: string): Promise<void> {
  for (;;) {
    const doc = await MarketingLedger.findOne({ _id: personId }).lean();
    if (!doc?.sends.some((e) => e.m === messageId)) return;
    if (await swap(personId, doc.v, doc.sends.filter((e) => e.m !== messageId))) return;
  }
}
