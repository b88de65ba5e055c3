// The accept path taken apart: after the load, one client posts a few batches
// one after the other (the account workflows apply them meanwhile, as under
// load), with every statement traced. A request's statements outside any
// activity are its own (nothing else in the process writes outside an
// activity then, except a short timer's event-type counts); per kind, how many
// it made and the span they took, and what is left before the first (HTTP,
// JSON, validation) and after the last (the answer).
import type { BenchStack } from '../stack';
import { round, summarize } from '../stats';
import { batchOf } from './events';
import type { SeedAccount } from './seed';
import { traceStatements } from './trace';

export const APART_BATCHES = 10;

export async function acceptApart(stack: BenchStack, accounts: SeedAccount[], runTag: string, firstBatch: number) {
  const trace = traceStatements(stack);
  const requests: { sentAt: number; answeredAt: number; accepted: number }[] = [];
  try {
    for (let k = 0; k < APART_BATCHES; k++) {
      const events = batchOf(accounts, runTag, firstBatch + k);
      const sentAt = performance.timeOrigin + performance.now();
      const res = await stack.api('POST', '/v1/events', { events });
      requests.push({ sentAt, answeredAt: performance.timeOrigin + performance.now(), accepted: res.status === 202 ? res.body.accepted : 0 });
    }
  } finally {
    trace.stop();
  }
  const own = trace.statements.filter((s) => !s.activity);
  const perKind = new Map<string, { count: number[]; spanMs: number[]; fromMs: number[] }>();
  const before: number[] = [];
  const after: number[] = [];
  const total: number[] = [];
  const statements: number[] = [];
  for (const r of requests) {
    const mine = own.filter((s) => s.start >= r.sentAt && s.end <= r.answeredAt);
    total.push(r.answeredAt - r.sentAt);
    statements.push(mine.length);
    if (mine.length === 0) continue;
    before.push(Math.min(...mine.map((s) => s.start)) - r.sentAt);
    after.push(r.answeredAt - Math.max(...mine.map((s) => s.end)));
    const kinds = new Map<string, typeof mine>();
    for (const s of mine) kinds.set(s.kind, [...(kinds.get(s.kind) ?? []), s]);
    for (const [kind, list] of kinds) {
      const k = perKind.get(kind) ?? { count: [], spanMs: [], fromMs: [] };
      const first = Math.min(...list.map((s) => s.start));
      k.count.push(list.length);
      k.spanMs.push(Math.max(...list.map((s) => s.end)) - first);
      k.fromMs.push(first - r.sentAt);
      perKind.set(kind, k);
    }
  }
  const r1 = (xs: number[]) => summarize(xs.map(round));
  return {
    accepted: requests.reduce((n, r) => n + r.accepted, 0),
    batches: requests.length,
    eventsPerBatch: requests.length ? Math.round(requests.reduce((n, r) => n + r.accepted, 0) / requests.length) : 0,
    requestMs: r1(total),
    statementsPerRequest: summarize(statements),
    /** Request sent → its first statement: HTTP, JSON parsing, validation (and the event-type cache). */
    beforeFirstStatementMs: r1(before),
    /** Its last statement → the answer received. */
    afterLastStatementMs: r1(after),
    /** Per kind, in the order of its first use: statements per request, when the first began after the request was sent, and first start → last end. */
    byKind: Object.fromEntries([...perKind].map(([kind, k]) => [kind, { requests: k.count.length, statementsP50: summarize(k.count).p50, fromSentMsP50: round(summarize(k.fromMs).p50), spanMs: r1(k.spanMs) }])),
  };
}
