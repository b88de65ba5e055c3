import { Suppression } from '../models/suppression';
import { isDuplicateKey } from './mongo-errors';

export type SuppressionReason = 'unsubscribed' | 'hard_bounce' | 'complaint' | 'manual';

/** Suppressions are kept by this form of the address. */
export const normalAddress = (email: string) => email.trim().toLowerCase();

/** Suppresses an address for a scope; the first record of a scope stays (its reason and time are the true ones). */
export async function suppress(input: { email: string; personId?: string; scope: string; reason: SuppressionReason; source: string }): Promise<void> {
  const email = normalAddress(input.email);
  try {
    await Suppression.create({ _id: `${email}:${input.scope}`, ...input, email, at: new Date() });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** Why an address with these suppressions may not get an email of this topic, or undefined: a suppression of all email, else of the topic. */
export function suppressionReason(held: readonly { scope: string; reason: string }[], topic: string | undefined): string | undefined {
  const hit = held.find((s) => s.scope === 'all') ?? held.find((s) => topic !== undefined && s.scope === topic);
  return hit ? `suppressed (${hit.reason}${hit.scope === 'all' ? '' : `, topic ${hit.scope}`})` : undefined;
}
