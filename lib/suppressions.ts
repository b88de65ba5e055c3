import { Suppression } from '../models/suppression';
import { isDuplicateKey } from './mongo-errors';

export type SuppressionReason = 'unsubscribed' | 'hard_bounce' | 'complaint' | 'manual';

const normal = (email: string) => email.trim().toLowerCase();

/** Suppresses an address for a scope; the first record of a scope stays (its reason and time are the true ones). */
export async function suppress(input: { email: string; personId?: string; scope: string; reason: SuppressionReason; source: string }): Promise<void> {
  const email = normal(input.email);
  try {
    await Suppression.create({ _id: `${email}:${input.scope}`, ...input, email, at: new Date() });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** Why this address may not get an email of this topic, or undefined: a suppression of all email, else of the topic. */
export async function suppressedFor(email: string, topic: string | undefined): Promise<string | undefined> {
  const held = await Suppression.find({ email: normal(email) }, { scope: 1, reason: 1 }).lean();
  const hit = held.find((s) => s.scope === 'all') ?? held.find((s) => topic !== undefined && s.scope === topic);
  return hit ? `suppressed (${hit.reason}${hit.scope === 'all' ? '' : `, topic ${hit.scope}`})` : undefined;
}
