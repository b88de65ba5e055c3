import { Context } from '@temporalio/activity';
import { EntityRef, entityRefFor } from '../domain/routing';
import { DeliveryTarget, requestRefresh } from '../lib/deliver-events';
import { op } from '../lib/query';
import { Account } from '../models/account';
import { Person } from '../models/person';

const CONCURRENCY = 16;

/**
 * Asks every entity (each account, each person without one) to re-score with
 * the active model and re-evaluate the saved segments, through its own
 * workflow so each entity keeps one writer.
 * One signal per entity; progress is heartbeated, and a retry skips what a
 * previous attempt already signalled.
 */
export function makeSignalRefreshAll(target: DeliveryTarget) {
  return async function signalRefreshAll(input: { version?: number; reason?: string }): Promise<{ entities: number; people: number }> {
    const [accounts, people] = await Promise.all([
      Account.find({}, { _id: 1 }).lean(),
      Person.find({ mergedInto: op({ $exists: false }) }, { _id: 1, accountKey: 1 }).lean(),
    ]);
    const entities = new Map<string, EntityRef>();
    for (const a of accounts) entities.set(`a:${a._id}`, { kind: 'account', accountKey: a._id });
    for (const p of people) {
      const ref = entityRefFor(p.accountKey, p._id);
      entities.set(ref.kind === 'account' ? `a:${ref.accountKey}` : `p:${ref.personId}`, ref);
    }
    const list = [...entities.values()];
    const resumeFrom = (Context.current().info.heartbeatDetails as number | undefined) ?? 0;
    let next = resumeFrom;
    let done = resumeFrom;
    const worker = async () => {
      for (let i = next++; i < list.length; i = next++) {
        await requestRefresh(target, list[i], input.reason ?? `scoring model v${input.version}`);
        done += 1;
        if (done % 100 === 0) Context.current().heartbeat(done);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return { entities: list.length, people: people.length };
  };
}

/** People scored with this model version (a top-level equality: cheap on every database). */
export async function countRescored(input: { version: number }): Promise<number> {
  return Person.countDocuments({ scoreModelVersion: input.version });
}
