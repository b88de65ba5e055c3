import { evaluate } from '../domain/condition';
import { eventIs, type AccountEvent } from '../domain/events';
import type { JourneyDefinition } from '../domain/journeys/definition';
import { runNode } from '../domain/journeys/nodes';
import type { NodeEffects } from '../domain/journeys/nodes/effects';
import { accountMatches, evaluateSplit } from './account-tests';
import { Interaction } from '../models/interaction';
import type { JourneyStep } from '../workflows/journey-messages';

/** A dry run ends here at the latest: a journey that loops through waits is cut off, not run forever. */
const MAX_STEPS = 200;

export interface SimulatedPath {
  accountKey: string;
  path: JourneyStep[];
  /** When the account would have left the journey; absent when it would still be on it at `to`. */
  endedAt?: string;
  endNode: string;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * Runs the journey's graph for one account over its stored interactions on a
 * simulated clock from `from` to `to`, with the same node code as the workflow
 * and no side effects: actions are not run (they "succeed"), splits read the
 * account's current data, waits move the clock.
 */
export async function simulateAccount(def: JourneyDefinition, accountKey: string, from: number, to: number): Promise<SimulatedPath> {
  const events: (AccountEvent & { t: number })[] = (await Interaction.find({ accountKey }).lean())
    .map((i) => ({ eventId: i._id, type: i.type, ...(i.means ? { means: i.means as AccountEvent['means'] } : {}), occurredAt: i.occurredAt.toISOString(), personId: i.personId, properties: i.properties ?? {}, t: i.occurredAt.getTime() }))
    .filter((e) => e.t > from && e.t <= to)
    .sort((a, b) => a.t - b.t || a.eventId.localeCompare(b.eventId));
  const exitRule = def.exitWhen;
  let clock = from;
  let enteredAt = from;
  const inbox = () => events.filter((e) => e.t > enteredAt && e.t <= clock);
  const exitRuleMet = () =>
    !!exitRule && 'performed' in exitRule && inbox().some((e) => eventIs(e, exitRule.performed) && (!exitRule.where || evaluate(exitRule.where, { event: e as unknown as Record<string, unknown> })));
  /** Moves the clock event by event up to `until`, stopping early where the predicate holds. */
  const advance = (until: number, predicate: () => boolean) => {
    if (predicate()) return true;
    for (const e of events) {
      if (e.t <= clock) continue;
      if (e.t > until) break;
      clock = e.t;
      if (predicate()) return true;
    }
    clock = until;
    return predicate();
  };
  const fx: NodeEffects = {
    inbox,
    interrupted: exitRuleMet,
    sleep: async (ms) => advance(clock + ms, exitRuleMet) && exitRuleMet(),
    waitFor: async (predicate, ms) => advance(clock + ms, predicate),
    evaluateSplit: (tests) => evaluateSplit({ accountKey, tests }),
    runAction: async () => ({ ok: true }),
  };

  const path: JourneyStep[] = [];
  let nodeId = def.start;
  for (let step = 0; step < MAX_STEPS; step++) {
    if (exitRuleMet() || (exitRule && !('performed' in exitRule) && (await accountMatches({ accountKey, condition: exitRule })))) {
      path.push({ nodeId, at: iso(clock), outcome: 'exit rule met' });
      return { accountKey, path, endedAt: iso(clock), endNode: nodeId };
    }
    enteredAt = clock;
    const result = await runNode(def.nodes[nodeId], fx, clock);
    if (clock > to) return { accountKey, path, endNode: nodeId };
    if (!result.next && !result.end) continue;
    path.push({ nodeId, at: iso(enteredAt), outcome: result.outcome });
    if (result.end) return { accountKey, path, endedAt: iso(clock), endNode: nodeId };
    nodeId = result.next!;
  }
  return { accountKey, path, endNode: nodeId };
}
