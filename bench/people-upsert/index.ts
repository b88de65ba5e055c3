// "PUT /v1/people ≥ 500/s" (issue 15 §1). CLIENTS closed-loop clients create
// BENCH_PEOPLE people through PUT /v1/people/:email (10 to an account, the
// accounts seeded straight into the database), for at most BENCH_SECONDS;
// then update the people created, their job title changed, for as long.
// Each phase: requests a second and their latency, the API's statements and
// Temporal calls per request by kind (../ingest-max/trace.ts), the stack's
// CPU. The account workflows the requests ask to re-score run meanwhile,
// as they would. Floors, once the stack is idle again: one upsert by id a
// person, same clients, into a scratch collection of the same database
// (floor.ts), and the Temporal call a request makes (signal-floor.ts); each
// with the stack's CPU a unit, as the phases.
import { randomBytes } from 'node:crypto';
import { closedLoop } from '../closed-loop';
import { byKind, traceStatements } from '../ingest-max/trace';
import { cpuMsPer, processLoad, untilQuiet } from '../load';
import type { Scenario } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';
import { upsertFloor } from './floor';
import { signalFloor } from './signal-floor';
import { type BenchPerson, cleanUp, generate, personBody, seedAccounts } from './people';

const CLIENTS = 8;
const GOAL_PER_SECOND = 500;

async function phase(stack: BenchStack, people: BenchPerson[], round: number, seconds: number, expected: number) {
  const ms: number[] = [];
  const failures: string[] = [];
  let next = 0;
  let ok = 0;
  const trace = traceStatements(stack);
  const load = processLoad(stack.config.DATA_DIR);
  const { start, loadMs } = await closedLoop(CLIENTS, seconds, async () => {
    if (next >= people.length) return false;
    const p = people[next++];
    const t = Date.now();
    const res = await stack.api('PUT', `/v1/people/${encodeURIComponent(p.email)}`, personBody(p, round));
    ms.push(Date.now() - t);
    if (res.status === expected) ok++;
    else if (failures.length < 3) failures.push(`HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    return true;
  });
  const api = trace.stop().filter((s) => !s.activity && s.start >= start);
  const phaseLoad = load();
  return {
    sent: next,
    answered: { [expected]: ok, other: next - ok },
    ...(failures.length ? { failureSamples: failures } : {}),
    ms: loadMs,
    peoplePerSecond: ratePerSecond(ok, loadMs),
    requestMs: summarize(ms),
    apiStatements: byKind(api, next),
    process: phaseLoad,
    /** The whole stack's CPU a request, the re-scores it asked for that ran in the phase included. */
    cpuMsPerRequest: cpuMsPer(ok, phaseLoad),
  };
}

export const peopleUpsert: Scenario = async ({ stack, people: count, seconds, log }) => {
  const runTag = randomBytes(4).toString('hex');
  const people = generate(count, runTag);
  log(`people-upsert: ${count} people, ${CLIENTS} clients, at most ${seconds} s a phase`);
  await seedAccounts(people, `bench-people-upsert-${runTag}`);
  try {
    const created = await phase(stack, people, 0, seconds, 201);
    log(`people-upsert: created ${created.answered[201]} in ${(created.ms / 1000).toFixed(1)} s (${created.peoplePerSecond}/s, p50 ${created.requestMs.p50} ms, ${created.apiStatements.perUnit} statements and calls a request)`);
    const updated = await phase(stack, people.slice(0, created.answered[201]), 1, seconds, 200);
    log(`people-upsert: updated ${updated.answered[200]} in ${(updated.ms / 1000).toFixed(1)} s (${updated.peoplePerSecond}/s, p50 ${updated.requestMs.p50} ms)`);
    const settledMs = await untilQuiet(stack.config.DATA_DIR);
    log(`people-upsert: the re-scores asked for settled ${(settledMs / 1000).toFixed(1)} s after the updates`);
    const floor = await upsertFloor(people, CLIENTS, seconds, runTag, stack.config.DATA_DIR);
    log(`people-upsert: floor, one upsert a person: ${floor.peoplePerSecond}/s, ${floor.cpuMsPerPerson} ms of CPU each`);
    const signals = await signalFloor(stack.client, people, CLIENTS, seconds, runTag, stack.config.DATA_DIR);
    log(`people-upsert: Temporal floor, one signalWithStart a person: ${signals.callsPerSecond}/s, ${signals.cpuMsPerCall} ms of CPU each; requests cost ${created.cpuMsPerRequest} ms (created) and ${updated.cpuMsPerRequest} ms (updated)`);
    const ratio = (r: number) => Math.round((r / floor.peoplePerSecond) * 1000) / 1000;
    return {
      figures: {
        clients: CLIENTS,
        created,
        updated,
        ratioToFloor: { created: ratio(created.peoplePerSecond), updated: ratio(updated.peoplePerSecond) },
        goal: `≥ ${GOAL_PER_SECOND} people/s`,
        goalMet: { created: (created.peoplePerSecond ?? 0) >= GOAL_PER_SECOND, updated: (updated.peoplePerSecond ?? 0) >= GOAL_PER_SECOND },
      },
      baseline: { settledMsBeforeFloors: settledMs, upsertById: floor, signalWithStart: signals },
    };
  } finally {
    await cleanUp(people).catch((err: Error) => log(`people-upsert: clean-up: ${err.message}`));
  }
};
