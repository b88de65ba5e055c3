// Every database statement and Temporal call this process makes over a phase,
// with who made it: an activity (its type and execution, from the activity's
// own context) or, outside any activity, the API (the bench's own reads are
// made while the trace is stopped). Wraps mongoose's Query and Aggregate exec
// and Model.insertMany / bulkWrite, and the stack's Temporal client; nothing
// in the product code is touched, and all is put back when the trace stops.
import { asyncLocalStorage } from '@temporalio/activity';
import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import type { BenchStack } from '../stack';
import { round, summarize } from '../stats';

export interface Statement {
  /** `<collection>.<operation>` or `temporal.<call>`. */
  kind: string;
  /** Epoch ms, sub-millisecond. */
  start: number;
  end: number;
  /** The activity type, when an activity made it. */
  activity?: string;
  /** One activity execution (run, activity id, attempt). */
  execution?: string;
}

const now = () => performance.timeOrigin + performance.now();

/** The activity running here, read from the SDK's own store (Context.current() would throw, slowly, everywhere else). */
function caller(): Pick<Statement, 'activity' | 'execution'> {
  const info = asyncLocalStorage.getStore()?.info;
  return info ? { activity: info.activityType, execution: `${info.workflowExecution?.runId}:${info.activityId}:${info.attempt}` } : {};
}

type AnyFn = (...args: unknown[]) => unknown;

export function traceStatements(stack: BenchStack) {
  const statements: Statement[] = [];
  const restore: (() => void)[] = [];
  const wrap = <T extends object>(target: T, name: keyof T & string, kindOf: (self: any) => string) => {
    const original = target[name] as unknown as AnyFn;
    const traced = async function (this: unknown, ...args: unknown[]) {
      const who = caller();
      const start = now();
      try {
        return await original.apply(this, args);
      } finally {
        statements.push({ kind: kindOf(this), start, end: now(), ...who });
      }
    };
    (target as Record<string, unknown>)[name] = traced;
    restore.push(() => ((target as Record<string, unknown>)[name] = original));
  };
  // `op` and `_model` are set on every query / aggregate at run time; mongoose's types leave them out.
  wrap(mongoose.Query.prototype, 'exec', (q) => `${q.model.collection.collectionName}.${q.op}`);
  wrap(mongoose.Aggregate.prototype, 'exec', (a) => `${a._model.collection.collectionName}.aggregate`);
  wrap(mongoose.Model as unknown as Record<string, unknown>, 'insertMany', (m) => `${m.collection.collectionName}.insertMany`);
  wrap(mongoose.Model as unknown as Record<string, unknown>, 'bulkWrite', (m) => `${m.collection.collectionName}.bulkWrite`);
  const workflows = stack.client.workflow;
  wrap(workflows, 'signalWithStart', () => 'temporal.signalWithStart');
  wrap(workflows, 'start', () => 'temporal.start');
  const getHandle = workflows.getHandle;
  workflows.getHandle = function (this: typeof workflows, ...args: Parameters<typeof getHandle>) {
    const handle = getHandle.apply(this, args);
    wrap(handle, 'signal', () => 'temporal.signal');
    restore.pop(); // a handle lives briefly: nothing to put back
    return handle;
  } as typeof getHandle;
  restore.push(() => (workflows.getHandle = getHandle));
  return {
    statements,
    stop(): Statement[] {
      for (const r of restore.reverse()) r();
      restore.length = 0;
      return statements;
    },
  };
}

/** Per kind: how many, in all and per unit, and how long each took (ms; concurrent ones overlap). */
export function byKind(statements: Statement[], units: number) {
  const groups = new Map<string, number[]>();
  for (const s of statements) {
    let list = groups.get(s.kind);
    if (!list) groups.set(s.kind, (list = []));
    list.push(s.end - s.start);
  }
  const kinds = [...groups].map(([kind, ms]) => ({ kind, ms, total: ms.reduce((a, b) => a + b, 0) })).sort((a, b) => b.total - a.total);
  return {
    statements: statements.length,
    perUnit: round(statements.length / Math.max(1, units)),
    statementMsPerUnit: round(kinds.reduce((a, k) => a + k.total, 0) / Math.max(1, units)),
    byKind: Object.fromEntries(kinds.map((k) => [k.kind, { perUnit: round(k.ms.length / Math.max(1, units)), msPerUnit: round(k.total / Math.max(1, units)), ms: summarize(k.ms) }])),
  };
}

/** The statements of each activity type, per execution: how many of each kind, and each execution's span (first statement start → last end). */
export function byActivity(statements: Statement[]) {
  const types = new Map<string, Map<string, Statement[]>>();
  for (const s of statements) {
    if (!s.activity) continue;
    let executions = types.get(s.activity);
    if (!executions) types.set(s.activity, (executions = new Map()));
    let list = executions.get(s.execution!);
    if (!list) executions.set(s.execution!, (list = []));
    list.push(s);
  }
  return Object.fromEntries(
    [...types].map(([type, executions]) => {
      const all = [...executions.values()];
      const spans = all.map((list) => Math.max(...list.map((s) => s.end)) - Math.min(...list.map((s) => s.start)));
      // Per kind, within each execution that made it: first start → last end, and its place after the execution's first statement.
      const kindSpans = new Map<string, { spanMs: number[]; fromMs: number[] }>();
      for (const list of all) {
        const first = Math.min(...list.map((s) => s.start));
        const kinds = new Map<string, Statement[]>();
        for (const s of list) kinds.set(s.kind, [...(kinds.get(s.kind) ?? []), s]);
        for (const [kind, ks] of kinds) {
          const k = kindSpans.get(kind) ?? { spanMs: [], fromMs: [] };
          const start = Math.min(...ks.map((s) => s.start));
          k.spanMs.push(Math.max(...ks.map((s) => s.end)) - start);
          k.fromMs.push(start - first);
          kindSpans.set(kind, k);
        }
      }
      const kinds = byKind(all.flat(), all.length);
      for (const [kind, k] of kindSpans) Object.assign(kinds.byKind[kind], { executionsWithIt: k.spanMs.length, spanMsP50: summarize(k.spanMs).p50, fromFirstMsP50: summarize(k.fromMs).p50 });
      return [type, { executions: all.length, statementSpanMs: summarize(spans), ...kinds }];
    }),
  );
}

/** The kinds that go through lib/each-statement's process-wide pool (16 at a time) on this path: identities per batch, people and markers per apply. */
export const POOLED_KINDS = new Set(['identities.find', 'people.updateOne', 'pending_events.deleteOne']);

/**
 * How many statements were running at once on average over [from, to] (their
 * time inside the window over its length): all database statements, and those
 * of the pooled kinds. A pooled mean near the pool's 16 says the pool, not the
 * database, sets the pace.
 */
export function inFlight(statements: Statement[], from: number, to: number) {
  const within = (pred: (s: Statement) => boolean) => {
    let ms = 0;
    let count = 0;
    for (const s of statements) {
      if (!pred(s) || s.end < from || s.start > to) continue;
      ms += Math.min(s.end, to) - Math.max(s.start, from);
      count++;
    }
    return { meanInFlight: round(ms / Math.max(1, to - from)), perSecond: round((count * 1000) / Math.max(1, to - from)) };
  };
  return {
    database: within((s) => !s.kind.startsWith('temporal.')),
    pooledKinds: within((s) => POOLED_KINDS.has(s.kind)),
    temporal: within((s) => s.kind.startsWith('temporal.')),
  };
}
